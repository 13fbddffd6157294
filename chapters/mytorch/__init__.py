"""Your own framework, written in the course's exercises: one module per chapter,
made from the cells you marked #@save (see minitorch/course/workbook.py)."""
