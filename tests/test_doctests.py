"""Every docstring example in the package runs (doctest), so the examples cannot go stale."""

from __future__ import annotations

import doctest
import importlib

import pytest

from decentraal.config import PACKAGE_DIR

MODULES = sorted(
    ".".join(p.relative_to(PACKAGE_DIR.parent).with_suffix("").parts).removesuffix(".__init__")
    for p in PACKAGE_DIR.rglob("*.py")
    if p.name != "__main__.py"
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} docstring examples failed"


def test_there_are_examples():
    attempted = sum(doctest.testmod(importlib.import_module(n)).attempted for n in MODULES)
    assert attempted >= 10, "the package's docstrings should show runnable examples"
