"""Where the project's data lives: rule packs (``rules/``), report templates (``reports/``), schemas.

In a source checkout (and an editable install) ``rules/`` and ``reports/`` sit beside the package;
in a wheel they are installed inside it as ``auditor/_data/rules`` and ``auditor/_data/reports``
(see ``[tool.hatch.build.targets.wheel.force-include]`` in ``pyproject.toml``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the directory of a top-level data folder (``rules`` or ``reports``)."""
    for candidate in (PACKAGE_DIR / "_data" / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"data folder {name!r} not found beside or inside the auditor package")


def schema_path(name: str) -> Path:
    """Return the path of a JSON Schema shipped in ``auditor/schemas``."""
    return PACKAGE_DIR / "schemas" / name
