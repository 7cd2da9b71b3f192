"""CSV: one row per site with tracker and third-party counts per phase and findings by severity.

The same table as ``consent-audit compare --format csv`` (see :mod:`auditor.compare`), for one run.
"""

from __future__ import annotations

from auditor.formats.interface import Format, Formatter, RenderOptions
from auditor.model import RunResult


class CsvFormatter(Formatter):
    """The per-site comparison table of one run, as CSV."""

    format = Format.CSV
    file_name = "sites.csv"
    media_type = "text/csv"

    def render(self, run: RunResult, options: RenderOptions) -> str:
        """Return the CSV text (header row first)."""
        from auditor.compare import build_comparison  # imported here: auditor.compare imports this package

        label = options.results_path.parent.name if options.results_path is not None else "run"
        return build_comparison([(label, run)]).to_csv()


FORMATTER = CsvFormatter()
