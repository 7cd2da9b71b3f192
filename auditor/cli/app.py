"""The Typer application object, exit codes and the shared error-reporting helpers of the CLI.

Only the CLI prints summaries and exits; everything below it raises or returns data.
Command modules (``auditor/cli/*.py``) register their commands on :data:`app`.
"""

from __future__ import annotations

import sys
from enum import IntEnum
from typing import NoReturn

import typer

app = typer.Typer(
    name="consent-audit",
    help="Audit cookie consent: what a site stores and sends before consent, after reject and after accept.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class ExitCode(IntEnum):
    """The documented exit codes of ``consent-audit``."""

    OK = 0
    """Clean: no finding at or above ``--fail-on``."""
    FINDINGS = 1
    """Findings at or above ``--fail-on`` (or, for ``diff``, a new error finding)."""
    USAGE = 2
    """Usage, configuration or rule-pack error: nothing was audited."""
    SITE_FAILED = 3
    """At least one site could not be audited."""


def fail(message: str, code: ExitCode = ExitCode.USAGE) -> NoReturn:
    """Print ``consent-audit: error: MESSAGE`` to stderr and exit with ``code``."""
    print(f"consent-audit: error: {message}", file=sys.stderr)
    raise typer.Exit(int(code))
