"""The ``consent-audit`` command line. Command modules register themselves on :data:`app`."""

from __future__ import annotations

import importlib

from auditor.cli.app import ExitCode, app

COMMAND_MODULES = ("audit", "rules", "report", "probe", "browser", "data", "knowledge", "policy")
"""Modules of ``auditor.cli`` that define commands (a missing optional one is skipped)."""

for _name in COMMAND_MODULES:
    try:
        importlib.import_module(f"auditor.cli.{_name}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"auditor.cli.{_name}":
            raise


def main() -> None:
    """Entry point of the ``consent-audit`` script."""
    app()


__all__ = ["ExitCode", "app", "main"]
