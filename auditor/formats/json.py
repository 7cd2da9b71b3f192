"""JSON: the canonical results file (results contract v1), exactly what ``audit`` writes.

Cookie values are kept (it is the evidence file); the human formats hide them.
"""

from __future__ import annotations

from auditor.formats.interface import Format, Formatter, RenderOptions
from auditor.model import RunResult
from auditor.results import dumps_run


class JsonFormatter(Formatter):
    """Serialise the run to canonical, pretty-printed JSON."""

    format = Format.JSON
    file_name = "results.json"
    media_type = "application/json"

    def render(self, run: RunResult, options: RenderOptions) -> str:
        """Return ``results.json`` text."""
        return dumps_run(run)


FORMATTER = JsonFormatter()
