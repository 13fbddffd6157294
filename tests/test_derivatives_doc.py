"""docs/derivatives.md is generated from the Functions' docstrings and must be current; every
Function that computes something documents itself as ``y = f(x); dL/dx = ...; saves ...``."""
from __future__ import annotations

from pathlib import Path

import pytest
from test_layers import load_script

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def make_derivatives():
    return load_script("make_derivatives")


def test_every_function_docstring_is_in_the_format(make_derivatives):
    assert make_derivatives.undocumented() == []


def test_committed_derivatives_md_is_current(make_derivatives):
    committed = (ROOT / "docs" / "derivatives.md").read_text(encoding="utf-8")
    assert committed == make_derivatives.render(), "run python scripts/make_derivatives.py"


def test_the_table_covers_every_function_and_node_name(make_derivatives):
    text = make_derivatives.render()
    computing = [cls for _, classes in make_derivatives.families() for cls in classes
                 if make_derivatives.computes(cls)]
    assert len(computing) > 100
    assert f"{len(computing)} Functions." in text
    for _, classes in make_derivatives.families():
        for cls in classes:
            if cls.node_name:
                assert cls.node_name in text, cls.__name__
    assert "| MulBackward0 | y = a * b | dL/da = dL/dy * b, dL/db = dL/dy * a |" in text


@pytest.mark.parametrize("docstring", [
    "``exp(a)``;  d/da = exp(a), reusing the saved output.",  # the old style: no y =, no saves
    "y = exp(a); dL/da = dL/dy * y.",                          # saves missing
    "y = exp(a); saves y.",                                    # derivative missing
    None,
])
def test_parse_rejects_docstrings_out_of_format(make_derivatives, docstring):
    assert make_derivatives.parse(docstring) is None


def test_parse_reads_the_three_parts(make_derivatives):
    doc = """y = max(a, 0); dL/da = dL/dy where a > 0,
    else 0; saves y.

    More notes."""
    assert make_derivatives.parse(doc) == ("y = max(a, 0)", "dL/da = dL/dy where a > 0, else 0",
                                           "y")
