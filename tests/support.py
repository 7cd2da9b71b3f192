"""Helpers shared by test modules (imported as ``support``: pytest puts ``tests/`` on ``sys.path``)."""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """A dependency of the test is missing: skip it on a developer's machine, fail it under ``CI=true``.

    CI installs everything from scratch (Chromium, the npm fixtures), so a missing piece there is a
    broken setup that must not turn into a green run of skipped tests.
    """
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and a test dependency is missing: {reason}", pytrace=False)
    pytest.skip(reason)


def require_module(name: str) -> ModuleType:
    """``pytest.importorskip`` that fails under ``CI=true`` (every dev dependency is installed there)."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        unavailable(f"{name} is not importable ({exc}): pip install -e '.[dev]'")
