"""The shared interface of the output formats: the :class:`Format` enum, render options and the base class.

Each format is one module in ``auditor/formats/`` holding a :class:`Formatter` subclass and a
module-level ``FORMATTER`` instance; the registry in :mod:`auditor.formats` maps each
:class:`Format` to it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from auditor.model import RunResult


class Format(StrEnum):
    """The output formats of ``consent-audit report`` (and ``audit --format``)."""

    JSON = "json"
    """The canonical results file (results contract v1), byte-for-byte what ``audit`` writes."""
    HTML = "html"
    """A self-contained evidence report for people (screenshots embedded, no external requests)."""
    JUNIT = "junit"
    """JUnit XML: one test case per site × rule, for CI test views."""
    SARIF = "sarif"
    """SARIF 2.1.0, for code-scanning dashboards."""
    MARKDOWN = "markdown"
    """A Markdown summary (what goes to ``$GITHUB_STEP_SUMMARY``)."""
    CONSOLE = "console"
    """The plain-text console summary (tables)."""
    CSV = "csv"
    """One row per site: tracker and third-party counts per phase, findings by severity."""


class FormatError(Exception):
    """A format cannot be produced (unknown format name, unreadable template, ...)."""


@dataclass(frozen=True)
class RenderOptions:
    """Options shared by every format."""

    show_values: bool = False
    """Show cookie values (hidden by default: they can hold personal identifiers)."""
    results_path: Path | None = None
    """The ``results.json`` the run was read from: screenshots are resolved relative to its folder and
    its SHA-256 is reported as provenance. ``None`` when rendering a run straight from memory."""


class Formatter(ABC):
    """Turns a :class:`~auditor.model.RunResult` into the text of one format."""

    format: ClassVar[Format]
    """The format this formatter produces."""
    file_name: ClassVar[str]
    """Default file name when written into an output folder (``report.html``)."""
    media_type: ClassVar[str]
    """MIME type of the output."""

    @abstractmethod
    def render(self, run: RunResult, options: RenderOptions) -> str:
        """Return the whole output as text (never raises on odd evidence: failures are data)."""
