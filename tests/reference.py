"""Where the tests find reference data carried in the repository (see tests/data/README.md)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
ELEMENT_TEMPLATES = DATA / "element-templates"
