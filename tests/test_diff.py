"""Run-to-run diff and the ``diff`` command's regression gate."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import auditor.cli  # noqa: F401  (registers the commands)
from auditor.cli.app import app
from auditor.diffing import RunDiff, diff_runs
from auditor.formats.summary import Verdict
from auditor.model import RunResult
from auditor.results import read_results, write_results

DATA = Path(__file__).parent / "data" / "results"
RUN1 = DATA / "run1" / "results.json"
RUN2 = DATA / "run2" / "results.json"


@pytest.fixture(scope="module")
def run1() -> RunResult:
    return read_results(RUN1)


@pytest.fixture(scope="module")
def diff(run1: RunResult) -> RunDiff:
    return diff_runs(run1, read_results(RUN2))


def site(diff: RunDiff, host: str):  # type: ignore[no-untyped-def]
    return next(s for s in diff.sites if host in s.url)


def test_regression_is_a_new_error_finding(diff: RunDiff) -> None:
    ok = site(diff, "news-ok")
    assert (ok.old_verdict, ok.new_verdict) == (Verdict.PASS, Verdict.FAIL)
    assert [f.subject.name for f in ok.new_errors] == ["_hjid"]
    reject = next(p for p in ok.phases if p.phase == "reject")
    assert reject.cookies_added == ("_hjid (.news-ok.example)",)
    assert reject.hosts_added == ("static.hotjar.com",)
    assert [(s.label, f.rule) for s, f in diff.new_errors] == [
        ("Le Quotidien", "cnil-no-tracker-cookie-without-consent")
    ]
    assert diff.exit_code() == 1


def test_fixed_findings_and_dropped_and_new_sites(diff: RunDiff) -> None:
    bad = site(diff, "news-bad")
    assert {f.rule for f in bad.findings_removed} == {
        "cnil-no-tracker-cookie-without-consent",
        "tcf-consent-after-opt-out",
    }
    assert not bad.findings_added
    assert site(diff, "blog-partial").new is None
    assert site(diff, "new-site").old is None and site(diff, "new-site").new_verdict is Verdict.PASS
    assert not site(diff, "shop-down").changed


def test_same_run_has_no_changes(run1: RunResult) -> None:
    same = diff_runs(run1, run1)
    assert same.changed == () and same.exit_code() == 0


def test_site_no_longer_audited_exits_3(run1: RunResult) -> None:
    down = tuple(
        dataclasses.replace(s, status="error", error="timeout", phases={}, findings=()) if "news-ok" in s.url else s
        for s in run1.sites
    )
    d = diff_runs(run1, dataclasses.replace(run1, sites=down))
    assert [s.url for s in d.newly_unaudited] == ["https://www.news-ok.example/"]
    assert d.exit_code() == 3


def test_outputs(diff: RunDiff) -> None:
    data = json.loads(diff.to_json())
    assert data["new_errors"] == 1 and len(data["sites"]) == 6
    md = diff.to_markdown()
    assert "**1 new error finding**" in md and "**(new error)**" in md
    assert "<img" not in md and "&lt;img" in md
    text = diff.to_text()
    assert "No violation found → Fails" in text and "+ reject cookie _hjid" in text


def test_diff_command_exit_codes(tmp_path: Path, run1: RunResult) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["diff", str(RUN1), str(RUN2)])
    assert result.exit_code == 1, result.output
    assert "Hotjar" in result.stdout and "1 new error finding" in result.stderr
    same = runner.invoke(app, ["diff", str(RUN1), str(DATA / "run1"), "--format", "json"])
    assert same.exit_code == 0 and json.loads(same.stdout)["new_errors"] == 0
    out = tmp_path / "diff.md"
    result = runner.invoke(app, ["diff", str(RUN1), str(RUN2), "-f", "markdown", "-o", str(out)])
    assert result.exit_code == 1 and out.read_text(encoding="utf-8").startswith("# Consent audit: what changed")
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    result = runner.invoke(app, ["diff", str(RUN1), str(bad)])
    assert result.exit_code == 2 and "not a results file" in result.stderr
    moved = write_results(run1, tmp_path / "copy")
    assert runner.invoke(app, ["diff", str(moved), str(RUN1)]).exit_code == 0
