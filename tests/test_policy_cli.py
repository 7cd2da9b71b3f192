"""``consent-audit rules list|show|validate|doc`` and ``consent-audit check`` through Typer's CliRunner (no browser)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import auditor.cli.rules  # noqa: F401  (registers the commands)
from auditor.cli.app import ExitCode, app
from auditor.model import BrowserInfo, RunResult, SiteResult, ToolInfo, from_jsonable
from auditor.results import read_results, write_results

CASES = Path(__file__).resolve().parent / "rules" / "cases"
runner = CliRunner()


def visit(case: str) -> SiteResult:
    return from_jsonable(SiteResult, json.loads((CASES / case / "visit.json").read_text("utf-8")))


def results_file(tmp_path: Path, *sites: SiteResult) -> Path:
    run = RunResult(ToolInfo("consent-audit", "0"), BrowserInfo(), "2026-01-01T00:00:00Z", None, (), tuple(sites))
    return write_results(run, tmp_path / "results.json")


QUOTIDIEN = "lqd-only-technical-cookies-after-refusal"
FAIR = "edpb-deceptive-button-contrast/fair"


def test_rules_list_defaults_to_every_builtin_pack() -> None:
    result = runner.invoke(app, ["rules", "list"])
    assert result.exit_code == 0, result.output
    for pack in ("baseline:", "cnil:", "edpb-banner:", "tcf:", "le-quotidien-demo:"):
        assert pack in result.stdout
    assert "cnil-reject-as-easy-as-accept" in result.stdout


def test_rules_list_json_for_one_pack() -> None:
    result = runner.invoke(app, ["rules", "list", "--rules", "tcf", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {r["pack"] for r in rows} == {"tcf"} and rows[0]["id"] == "tcf-consent-before-choice"


def test_rules_show_rule_and_pack() -> None:
    result = runner.invoke(app, ["rules", "show", "edpb-reject-on-layer-with-accept"])
    assert result.exit_code == 0
    assert "para. 8" in result.stdout and "vast majority of authorities" in result.stdout
    result = runner.invoke(app, ["rules", "show", "le-quotidien-demo"])
    assert result.exit_code == 0 and "Tout refuser" in result.stdout and "Extends: `baseline`, `cnil`" in result.stdout


def test_rules_show_unknown_id_suggests() -> None:
    result = runner.invoke(app, ["rules", "show", "cnil-tracker-lifetim"])
    assert result.exit_code == ExitCode.USAGE
    assert "unknown rule 'cnil-tracker-lifetim'" in result.stderr and "cnil-tracker-lifetime" in result.stderr


def test_rules_validate(tmp_path: Path) -> None:
    good = tmp_path / "site.yaml"
    good.write_text(
        "pack: {id: mine, title: Mine, extends: [baseline]}\ndisable: [baseline-reject-verified]\n", "utf-8"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("pack: {id: bad, title: Bad}\nrules:\n  - id: x\n    titel: y\n", "utf-8")
    result = runner.invoke(app, ["rules", "validate", str(good)])
    assert result.exit_code == 0 and "pack 'mine', 0 rule(s), extends baseline" in result.stdout
    result = runner.invoke(app, ["rules", "validate", str(good), str(bad)])
    assert result.exit_code == ExitCode.USAGE
    assert f"{bad}:4: rules[0]: unknown key 'titel'" in result.stderr


def test_rules_doc_builtin_is_docs_rules_md() -> None:
    result = runner.invoke(app, ["rules", "doc"])
    assert result.exit_code == 0
    assert result.stdout == (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text("utf-8")


def test_check_finds_the_demo_sites_violations(tmp_path: Path) -> None:
    path = results_file(tmp_path, visit(QUOTIDIEN), visit(FAIR))
    out = tmp_path / "checked.json"
    result = runner.invoke(app, ["check", str(path), "--rules", "sites/le-quotidien-demo", "-o", str(out)])
    assert result.exit_code == ExitCode.FINDINGS, result.output
    run = read_results(out)
    assert run.rule_packs == ("sites/le-quotidien-demo",)
    quotidien, fair = run.sites
    assert not fair.findings
    rules = {(f.rule, f.phase, f.subject.name) for f in quotidien.findings}
    assert ("baseline-third-party-tracker-cookie", "before", "IDE") in rules  # the planted pre-consent DoubleClick
    assert ("lqd-only-technical-cookies-after-refusal", "reject", "_ga") in rules


def test_check_exit_codes(tmp_path: Path) -> None:
    clean = results_file(tmp_path, visit(FAIR))
    assert runner.invoke(app, ["check", str(clean), "-r", "baseline", "-r", "cnil"]).exit_code == ExitCode.OK
    failed = dataclasses.replace(visit(FAIR), url="https://down.example/", status="error", phases={}, error="DNS")
    both = results_file(tmp_path, visit(QUOTIDIEN), failed)
    assert runner.invoke(app, ["check", str(both), "-r", "baseline"]).exit_code == ExitCode.SITE_FAILED
    info = results_file(tmp_path, visit("cnil-consent-choice-duration"))  # one info finding (consent kept 1 year)
    assert runner.invoke(app, ["check", str(info), "-r", "cnil"]).exit_code == ExitCode.OK
    assert runner.invoke(app, ["check", str(info), "-r", "cnil", "--fail-on", "info"]).exit_code == ExitCode.FINDINGS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rules", "nope"], "unknown rule pack 'nope'"),
        (["--fail-on", "critical"], "--fail-on: invalid fail-on 'critical'"),
        (["--baseline", "missing.yaml"], "missing.yaml: file not found"),
        (["--knowledge", "missing-kb.yaml"], "missing-kb.yaml"),
    ],
)
def test_check_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    path = results_file(tmp_path, visit(FAIR))
    result = runner.invoke(app, ["check", str(path), *args])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert message in result.stderr


def test_check_unreadable_results(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "none.json")])
    assert result.exit_code == ExitCode.USAGE and "file not found" in result.stderr


def test_check_with_baseline_accepts_and_reports_fixed(tmp_path: Path) -> None:
    path = results_file(tmp_path, visit(QUOTIDIEN))
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text(
        "accepted:\n"
        "  - {rule: '*', site: www.le-quotidien-demo.fr, reason: 'adopting the tool, see ticket CMP-7'}\n"
        "  - {rule: cnil-tracker-lifetime, site: www.le-quotidien-demo.fr, name: _old, reason: gone}\n",
        "utf-8",
    )
    result = runner.invoke(
        app, ["check", str(path), "-r", "sites/le-quotidien-demo", "--baseline", str(baseline), "-o", "-"]
    )
    assert result.exit_code == ExitCode.OK, result.output
    run = json.loads(result.stdout)
    findings = run["sites"][0]["findings"]
    assert findings and all(f["baseline"] == "adopting the tool, see ticket CMP-7" for f in findings)
    assert "fixed (no longer found; remove it from the baseline): cnil-tracker-lifetime" in result.stderr


def test_check_defaults_to_the_packs_of_the_run(tmp_path: Path) -> None:
    run = RunResult(ToolInfo("t", "0"), BrowserInfo(), "x", None, (), (visit(QUOTIDIEN),), rule_packs=("tcf",))
    path = write_results(run, tmp_path / "results.json")
    result = runner.invoke(app, ["check", str(path), "-o", str(tmp_path / "out.json")])
    assert result.exit_code == ExitCode.OK, result.output  # the tcf pack finds nothing on this site
    assert read_results(tmp_path / "out.json").rule_packs == ("tcf",)


def test_check_under_github_actions_annotates_and_writes_the_step_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    path = results_file(tmp_path, visit(QUOTIDIEN))
    result = runner.invoke(app, ["check", str(path), "-r", "baseline"])
    assert result.exit_code == ExitCode.FINDINGS
    assert "::error" in result.stderr and "baseline-third-party-tracker-cookie" in result.stderr
    assert "::" not in result.stdout  # annotations go to stderr (the runner reads both streams)
    assert "baseline-third-party-tracker-cookie" in summary.read_text("utf-8")


def test_check_to_stdout_under_github_actions_writes_pure_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    path = results_file(tmp_path, visit(QUOTIDIEN))
    result = runner.invoke(app, ["check", str(path), "-r", "baseline", "-o", "-"])
    assert result.exit_code == ExitCode.FINDINGS
    checked = json.loads(result.stdout)  # the whole of stdout is the results document
    assert checked["schema_version"] == 1 and checked["sites"][0]["findings"]
    assert result.stderr.startswith("::error title=consent-audit verdict::")
    assert "::error title=" in result.stderr and "baseline-third-party-tracker-cookie" in result.stderr


def test_check_replays_the_packs_recorded_for_each_site(tmp_path: Path) -> None:
    quotidien = dataclasses.replace(visit(QUOTIDIEN), rule_packs=("baseline", "sites/le-quotidien-demo"))
    fair = dataclasses.replace(visit(FAIR), rule_packs=("tcf",))
    run = RunResult(ToolInfo("t", "0"), BrowserInfo(), "x", None, (), (quotidien, fair), rule_packs=("baseline",))
    path = write_results(run, tmp_path / "results.json")
    result = runner.invoke(app, ["check", str(path), "-o", str(tmp_path / "out.json")])
    assert result.exit_code == ExitCode.FINDINGS, result.output
    checked = read_results(tmp_path / "out.json")
    q, f = checked.sites
    assert q.rule_packs == ("baseline", "sites/le-quotidien-demo")
    assert any(x.rule == "lqd-only-technical-cookies-after-refusal" for x in q.findings)  # its own pack ran
    assert f.rule_packs == ("tcf",) and f.rules and all(r.startswith("tcf-") for r in f.rules)
    assert (
        "lqd-only-technical-cookies-after-refusal" in q.rules
        and "lqd-only-technical-cookies-after-refusal" not in f.rules
    )


def test_check_with_rules_replaces_the_run_packs_and_keeps_each_sites_own(tmp_path: Path) -> None:
    quotidien = dataclasses.replace(visit(QUOTIDIEN), rule_packs=("baseline", "sites/le-quotidien-demo"))
    fair = dataclasses.replace(visit(FAIR), rule_packs=("baseline",))
    run = RunResult(ToolInfo("t", "0"), BrowserInfo(), "x", None, (), (quotidien, fair), rule_packs=("baseline",))
    path = write_results(run, tmp_path / "results.json")
    result = runner.invoke(app, ["check", str(path), "-r", "tcf", "-o", str(tmp_path / "out.json")])
    checked = read_results(tmp_path / "out.json")
    assert checked.rule_packs == ("tcf",), result.output
    assert [s.rule_packs for s in checked.sites] == [("tcf", "sites/le-quotidien-demo"), ("tcf",)]


def test_check_of_an_incomplete_site_never_exits_0(tmp_path: Path) -> None:
    fair = visit(FAIR)
    clean = results_file(tmp_path, fair)
    assert runner.invoke(app, ["check", str(clean), "-r", "tcf", "--fail-on", "never"]).exit_code == ExitCode.OK
    partial = dataclasses.replace(fair, phases={k: v for k, v in fair.phases.items() if k != "accept"})
    path = results_file(tmp_path, partial)
    result = runner.invoke(app, ["check", str(path), "-r", "tcf", "--fail-on", "never"])
    assert result.exit_code == ExitCode.SITE_FAILED, result.output
    assert "Verdict: Incomplete (exit 3" in result.stderr


def test_check_baseline_never_accepts_a_rule_that_could_not_be_evaluated(tmp_path: Path) -> None:
    fair = visit(FAIR)
    failed_reject = dataclasses.replace(fair.phases["reject"], status="error", error="reject click failed")
    path = results_file(tmp_path, dataclasses.replace(fair, phases={**fair.phases, "reject": failed_reject}))
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text("accepted:\n  - {rule: '*', reason: 'accept everything'}\n", "utf-8")
    result = runner.invoke(app, ["check", str(path), "-r", "cnil", "--baseline", str(baseline), "-o", "-"])
    assert result.exit_code != ExitCode.OK, result.output
    findings = json.loads(result.stdout)["sites"][0]["findings"]
    errors = [f for f in findings if f["outcome"] == "error"]
    assert errors and all(f["baseline"] is None for f in errors)
