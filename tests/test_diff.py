"""Run-to-run diff and the ``diff`` command's regression gate."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import auditor.cli  # noqa: F401  (registers the commands)
from auditor.cli.app import app
from auditor.diffing import RunDiff, diff_runs
from auditor.model import Finding, RunResult, SiteResult, Subject
from auditor.results import read_results, write_results
from auditor.verdict import Verdict

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


def _sites(run: RunResult, url_part: str, change: Callable[[SiteResult], SiteResult]) -> RunResult:
    return dataclasses.replace(run, sites=tuple(change(s) if url_part in s.url else s for s in run.sites))


def test_a_phase_that_disappeared_is_a_regression(run1: RunResult) -> None:
    def drop_reject(s: SiteResult) -> SiteResult:
        return dataclasses.replace(s, phases={k: v for k, v in s.phases.items() if k != "reject"}, findings=())

    d = diff_runs(run1, _sites(run1, "news-ok", drop_reject))
    assert d.new_errors == ()  # fewer findings: it would look like an improvement
    assert [(s.url, g.kind, g.phase) for s, g in d.lost_evaluation] == [
        ("https://www.news-ok.example/", "phase-missing", "reject")
    ]
    assert d.exit_code() == 3
    assert "no longer evaluated" in d.to_markdown() and "no longer evaluated" in d.to_text()
    assert json.loads(d.to_json())["lost_evaluation"] == 1


@pytest.mark.parametrize("old_outcome", ["fail", "pass"])
def test_a_check_that_stopped_being_evaluated_is_a_regression(run1: RunResult, old_outcome: str) -> None:
    ok_site = next(s for s in run1.sites if "news-ok" in s.url)
    checked = Finding("r-x", "warning", "reject", Subject("cookie", name="_x"), "x", outcome="fail")
    old = _sites(run1, "news-ok", lambda s: dataclasses.replace(s, findings=(*s.findings, checked)))
    if old_outcome == "pass":
        old = run1
    unevaluated = dataclasses.replace(checked, subject=Subject("site"), outcome="error", message="cannot evaluate")
    new = _sites(run1, "news-ok", lambda s: dataclasses.replace(s, findings=(*ok_site.findings, unevaluated)))
    d = diff_runs(old, new)
    assert [(g.kind, g.rule) for _, g in d.lost_evaluation] == [("rule", "r-x")]
    assert d.exit_code() == 3


def test_a_consent_click_no_longer_made_is_a_regression(run1: RunResult) -> None:
    def no_click(s: SiteResult) -> SiteResult:
        reject = s.phases["reject"]
        assert reject.consent is not None
        consent = dataclasses.replace(reject.consent, clicked=False, reason="button moved")
        return dataclasses.replace(s, phases={**s.phases, "reject": dataclasses.replace(reject, consent=consent)})

    d = diff_runs(run1, _sites(run1, "news-ok", no_click))
    assert [(g.kind, g.phase) for _, g in d.lost_evaluation] == [("consent", "reject")]
    assert site(d, "news-ok").new_verdict is Verdict.INCOMPLETE


def test_diff_command_names_what_is_no_longer_evaluated(tmp_path: Path, run1: RunResult) -> None:
    def drop_accept(s: SiteResult) -> SiteResult:
        return dataclasses.replace(s, phases={k: v for k, v in s.phases.items() if k != "accept"})

    new = write_results(_sites(run1, "news-ok", drop_accept), tmp_path / "new.json")
    result = CliRunner().invoke(app, ["diff", str(RUN1), str(new)])
    assert result.exit_code == 3, result.output
    assert "no longer evaluated on https://www.news-ok.example/: the accept phase is missing" in result.stderr
