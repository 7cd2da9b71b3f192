"""Cross-site comparison: the model, CSV, JSON and the HTML page, and the ``compare`` command."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import auditor.cli  # noqa: F401  (registers the commands)
from auditor.cli.app import app
from auditor.formats.compare import Comparison, build_comparison, run_labels
from auditor.results import read_results

DATA = Path(__file__).parent / "data" / "results"
RUN1 = DATA / "run1" / "results.json"
RUN2 = DATA / "run2" / "results.json"


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    paths = [RUN1, RUN2]
    return build_comparison(list(zip(run_labels(paths), [read_results(p) for p in paths], strict=True)))


def test_rows_per_site_and_run(comparison: Comparison) -> None:
    assert len(comparison.rows) == 9
    rows = {(r.run, r.site): r for r in comparison.rows}
    ok1, ok2 = rows[("run1", "Le Quotidien")], rows[("run2", "Le Quotidien")]
    assert ok1.honours_refusal is True and ok2.honours_refusal is False
    assert (ok1.count("tracker_cookies", "reject"), ok2.count("tracker_cookies", "reject")) == (0, 1)
    assert rows[("run1", "blog-partial.example")].count("third_party_hosts", "accept") is None
    assert rows[("run1", "blog-partial.example")].honours_refusal is None  # the refusal failed
    assert rows[("run1", "Shop (down)")].honours_refusal is None
    assert rows[("run1", "Le Journal")].failing == {"error": 8, "warning": 1, "info": 0}


def test_labels() -> None:
    assert run_labels([RUN1, RUN2]) == ["run1", "run2"]
    assert run_labels([DATA / "run1", Path("x/a.json")]) == ["run1", "a"]
    assert run_labels([Path("a/results.json"), Path("b/a/results.json")]) == [
        "a/results.json",
        "b/a/results.json",
    ]


def test_csv_parses_back(comparison: Comparison) -> None:
    rows = list(csv.DictReader(io.StringIO(comparison.to_csv())))
    assert len(rows) == 9
    assert {"tracker_cookies_before", "third_party_hosts_accept", "tracker_hosts_reject", "findings_error"} <= set(
        rows[0]
    )
    journal = next(r for r in rows if r["run"] == "run2" and r["site"] == "Le Journal")
    assert journal["tracker_cookies_reject"] == "3" and journal["verdict"] == "fail"


def test_json(comparison: Comparison) -> None:
    data = json.loads(comparison.to_json())
    assert [r["label"] for r in data["runs"]] == ["run1", "run2"]
    assert len(data["rows"]) == 9 and data["rows"][0]["tracker_cookies_accept"] == 4


def test_html_has_charts_sortable_table_and_escapes(comparison: Comparison) -> None:
    html = comparison.to_html()
    assert html.count("<svg ") == 2 and "<rect " in html
    assert html.count('class="sortable') >= 10
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ["<script>"]  # one inline script, no src
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", html)
    assert "http://" not in html.split("<body>")[0].replace("http://www.w3.org/2000/svg", "")


def test_empty_comparison_still_renders() -> None:
    empty = build_comparison([])
    assert empty.to_csv().startswith("run,site,url,status,verdict")
    assert "<svg" in empty.to_html()


def test_compare_command_writes_each_format(tmp_path: Path) -> None:
    runner = CliRunner()
    for fmt, name in (("html", "compare.html"), ("csv", "compare.csv"), ("json", "compare.json")):
        out = tmp_path / name
        result = runner.invoke(app, ["compare", str(RUN1), str(DATA / "run2"), "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 100
    result = runner.invoke(app, ["compare", str(RUN1), "--format", "csv"])
    assert result.exit_code == 0 and result.stdout.startswith("run,site,")
    missing = runner.invoke(app, ["compare", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "file not found" in missing.stderr
