"""The default rules (no ``--rules``): what a new user expects, the same for audit, check and rules list.

The three misses reported in issue 10 with the old default (``baseline`` alone): Google Analytics
cookies after « Je refuse », a TC string signalling consent after refusal, a first layer with no
reject button. Evidence is raw (as collected) and classified by the real knowledge base.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import auditor.cli.rules  # noqa: F401  (registers the commands)
from auditor.cli.app import ExitCode, app
from auditor.knowledge import classify_site
from auditor.model import (
    Banner,
    BannerControl,
    BrowserInfo,
    ConsentAction,
    Cookie,
    Finding,
    PhaseResult,
    RunResult,
    SiteResult,
    TcfState,
    ToolInfo,
)
from auditor.pipeline import DEFAULT_PACKS, build_pipeline
from auditor.policy import evaluate, load_rules
from auditor.results import read_results, write_results

runner = CliRunner()
SITE = "https://www.exemple-presse.fr/"


def _ga(name: str, value: str) -> Cookie:
    return Cookie(
        name=name,
        value=value,
        domain=".exemple-presse.fr",
        path="/",
        expires=1_900_000_000.0,
        lifetime_days=395.0,
        secure=False,
        http_only=False,
        same_site="Lax",
        party="first",
        registrable_domain="exemple-presse.fr",
        set_by="script",
    )


def _visit() -> SiteResult:
    """GA after « Je refuse », a TC string with consents after refusal, and no reject button on the first layer."""
    first_layer = Banner(
        found=True,
        cmp="exemple",
        controls=(
            BannerControl("J'accepte", "accept", "button", 1),
            BannerControl("Personnaliser", "settings", "link", 1),
            BannerControl("Je refuse", "reject", "button", 2),
        ),
    )
    ga = (_ga("_ga", "GA1.1.1234567890.1764601472"), _ga("_ga_EX2026", "GS1.1.1764601472.1.0.1764601472.0.0.0"))
    tc = TcfState(source="api", tc_string="CQ-demo", valid=True, purpose_consents=(1, 2, 3, 4), vendor_consents=(755,))
    # Both clicks confirmed (dialog gone, choice stored): the findings are about what the site did after them.
    refused = ConsentAction("reject", clicked=True, label="Je refuse", method="heuristic", steps=2, effect="confirmed")
    accepted = ConsentAction("accept", clicked=True, label="J'accepte", method="heuristic", steps=1, effect="confirmed")
    phases = {
        "before": PhaseResult("before", "ok", url=SITE, banner=first_layer),
        "reject": PhaseResult("reject", "ok", url=SITE, cookies=ga, tcf=(tc,), consent=refused, banner=first_layer),
        "accept": PhaseResult("accept", "ok", url=SITE, cookies=ga, tcf=(tc,), consent=accepted, banner=first_layer),
    }
    return classify_site(SiteResult(url=SITE, status="ok", final_url=SITE, phases=phases))


def _fails(findings: tuple[Finding, ...], rule: str, phase: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule and f.phase == phase and f.outcome == "fail"]


def test_the_default_is_the_regulatory_core() -> None:
    assert DEFAULT_PACKS == ("core",)
    rules = load_rules(DEFAULT_PACKS)
    assert {"baseline", "cnil", "tcf", "edpb-banner", "core"} <= set(rules.pack_ids)
    assert not rules.disabled
    assert build_pipeline(None).pack_names == DEFAULT_PACKS


def test_the_default_reports_what_a_new_user_expects() -> None:
    visit = _visit()
    findings = evaluate(visit, build_pipeline(None).rules)
    ga = _fails(findings, "cnil-no-tracker-cookie-without-consent", "reject")
    assert {f.subject.name for f in ga} == {"_ga", "_ga_EX2026"}
    assert _fails(findings, "tcf-consent-after-opt-out", "reject")
    assert _fails(findings, "cnil-reject-on-first-layer", "before")
    assert _fails(findings, "cnil-reject-as-easy-as-accept", "before")
    # The old default saw none of the three.
    old = evaluate(visit, load_rules(["baseline"]))
    assert not [f for f in old if f.outcome == "fail" and f.severity == "error"]


def test_rules_list_marks_the_default() -> None:
    result = runner.invoke(app, ["rules", "list"])
    assert result.exit_code == 0, result.output
    assert "default (no --rules): core" in result.output
    lines = result.output.splitlines()
    assert any(line.startswith("core:") and "[default]" in line for line in lines)
    assert any(line.startswith(" *cnil-no-tracker-cookie-without-consent") for line in lines)
    assert any(line.startswith("  lqd-only-technical-cookies-after-refusal") for line in lines)  # a site pack: off
    rows = json.loads(runner.invoke(app, ["rules", "list", "--json"]).output)
    default = {r["id"] for r in rows if r["default"]}
    assert default == set(load_rules(DEFAULT_PACKS).ids)


def test_check_uses_the_default_for_a_run_without_packs(tmp_path: Path) -> None:
    run = RunResult(ToolInfo("consent-audit", "0"), BrowserInfo(), "2026-01-01T00:00:00Z", None, (), (_visit(),))
    saved = write_results(run, tmp_path / "results.json")
    out = tmp_path / "checked.json"
    result = runner.invoke(app, ["check", str(saved), "-o", str(out)])
    assert result.exit_code == int(ExitCode.FINDINGS), result.output
    checked = read_results(out)
    assert checked.rule_packs == DEFAULT_PACKS
    assert _fails(checked.sites[0].findings, "tcf-consent-after-opt-out", "reject")
