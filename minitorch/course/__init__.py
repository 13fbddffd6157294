"""The course's tools: checks that tell a learner whether an exercise is right, and the
workbook that collects the learner's own framework (``mytorch``) across chapters.

In a chapter::

    from minitorch import course
    from minitorch.course import ch01 as check
    course.start("01")                      # save the cells marked #@save into mytorch/ch01.py
    ...
    check.central_difference(central_difference)   # shows ✔ / ✘ with expected vs got / … not done

The checks compare with minitorch's reference and with PyTorch, which the course's
environment installs (``pip install -e '.[lab]'``); minitorch itself never needs it.
"""
from .checking import Verdict, run, summary
from .workbook import needs, start

__all__ = ["Verdict", "needs", "run", "start", "summary"]
