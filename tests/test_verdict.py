"""The one verdict (auditor.verdict): failing, gaps, site and run verdicts, exit codes — and every output agrees.

The matrix renders each format for a set of synthetic runs at each threshold and checks that each
says what :func:`auditor.verdict.run_verdict` says: no format may call green what the exit code fails.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import xml.etree.ElementTree as ET

import pytest

from auditor.diffing import diff_runs
from auditor.formats import Format, github_annotations, render
from auditor.formats.compare import build_comparison
from auditor.model import (
    BrowserInfo,
    ConsentAction,
    Finding,
    PhaseResult,
    RunResult,
    SiteResult,
    Subject,
    ToolInfo,
    from_jsonable,
    to_jsonable,
)
from auditor.verdict import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_SITE_FAILED,
    Verdict,
    exit_code_for,
    exit_code_for_sites,
    gaps,
    is_failing,
    run_verdict,
    site_verdict,
)


def action(role: str, **kw: object) -> ConsentAction:
    label = "Tout refuser" if role == "reject" else "Tout accepter"
    kw.setdefault("effect", "confirmed")
    return ConsentAction(action=role, clicked=True, label=label, **kw)  # type: ignore[arg-type]


def phase(name: str, **kw: object) -> PhaseResult:
    if name != "before" and "consent" not in kw:
        kw["consent"] = action(name)
    return PhaseResult(name=name, status="ok", **kw)  # type: ignore[arg-type]


def finding(
    severity: str = "error",
    outcome: str = "fail",
    *,
    rule: str = "r",
    phase_name: str | None = "before",
    name: str = "IDE",
    baseline: str | None = None,
) -> Finding:
    return Finding(
        rule,
        severity,  # type: ignore[arg-type]
        phase_name,  # type: ignore[arg-type]
        Subject("cookie", name=name, domain=".doubleclick.net"),
        f"{rule} on {name}",
        outcome=outcome,  # type: ignore[arg-type]
        baseline=baseline,
    )


def site(
    url: str = "https://www.example.fr/",
    *findings: Finding,
    phases: dict[str, PhaseResult] | None = None,
    status: str = "ok",
) -> SiteResult:
    chosen = {p: phase(p) for p in ("before", "reject", "accept")} if phases is None else phases
    return SiteResult(
        url=url,
        status=status,  # type: ignore[arg-type]
        error="DNS failure" if status == "error" else None,
        phases=chosen if status == "ok" else {},
        findings=tuple(findings),
        rules=("r", "q"),
    )


def run_of(*sites: SiteResult, fail_on: str = "error") -> RunResult:
    return RunResult(
        tool=ToolInfo("consent-audit", "0"),
        browser=BrowserInfo(),
        started="2026-01-01T00:00:00Z",
        finished="2026-01-01T00:01:00Z",
        arguments=("consent-audit", "audit"),
        sites=sites,
        rules=("r", "q"),
        fail_on=fail_on,
    )


def without(name: str) -> dict[str, PhaseResult]:
    return {p: phase(p) for p in ("before", "reject", "accept") if p != name}


CLEAN = site()
WARNED = site("https://warn.example/", finding("warning"))
FAILING = site("https://fail.example/", finding("error"))
INFO_ONLY = site("https://info.example/", finding("info"))
NOT_EVALUATED_INFO = site("https://ne.example/", finding("info", "error"))
MISSING_PHASE = site("https://missing.example/", phases=without("accept"))
FAILED_PHASE = site(
    "https://failed.example/",
    phases={**without("reject"), "reject": dataclasses.replace(phase("reject"), status="error", error="timeout")},
)
NOT_CLICKED = site(
    "https://noclick.example/",
    phases={
        **without("reject"),
        "reject": phase("reject", consent=ConsentAction(action="reject", clicked=False, reason="no control")),
    },
)
UNCONFIRMED = site(
    "https://unconfirmed.example/",
    phases={**without("reject"), "reject": phase("reject", consent=action("reject", effect="unconfirmed"))},
)
CONFIRMED = site(
    "https://confirmed.example/",
    phases={**without("reject"), "reject": phase("reject", consent=action("reject", effect="confirmed"))},
)
NOT_AUDITED = site("https://down.example/", status="error")
BASELINED = site("https://accepted.example/", finding("error", baseline="JIRA-1"))

# --- the verdict function ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("s", "fail_on", "verdict"),
    [
        (CLEAN, "error", Verdict.PASS),
        (CONFIRMED, "error", Verdict.PASS),
        (INFO_ONLY, "error", Verdict.PASS),
        (INFO_ONLY, "info", Verdict.FAIL),
        (WARNED, "error", Verdict.WARN),
        (WARNED, "warning", Verdict.FAIL),
        (WARNED, "never", Verdict.WARN),
        (FAILING, "error", Verdict.FAIL),
        (FAILING, "never", Verdict.WARN),
        (BASELINED, "error", Verdict.PASS),
        (NOT_EVALUATED_INFO, "error", Verdict.INCOMPLETE),  # below the threshold, still not a pass
        (NOT_EVALUATED_INFO, "info", Verdict.FAIL),  # counts as failing at its severity
        (MISSING_PHASE, "error", Verdict.INCOMPLETE),
        (FAILED_PHASE, "error", Verdict.INCOMPLETE),
        (NOT_CLICKED, "error", Verdict.INCOMPLETE),
        (UNCONFIRMED, "error", Verdict.INCOMPLETE),
        (UNCONFIRMED, "never", Verdict.INCOMPLETE),
        (NOT_AUDITED, "error", Verdict.NOT_AUDITED),
        (NOT_AUDITED, "never", Verdict.NOT_AUDITED),
    ],
)
def test_site_verdict(s: SiteResult, fail_on: str, verdict: Verdict) -> None:
    assert site_verdict(s, fail_on) is verdict


@pytest.mark.parametrize(
    ("sites", "fail_on", "code"),
    [
        ((CLEAN,), "error", EXIT_OK),
        ((WARNED,), "error", EXIT_OK),
        ((WARNED,), "warning", EXIT_FINDINGS),
        ((INFO_ONLY,), "warning", EXIT_OK),
        ((INFO_ONLY,), "info", EXIT_FINDINGS),
        ((site("https://x.example/", finding("error", "error")),), "error", EXIT_FINDINGS),
        ((BASELINED,), "error", EXIT_OK),
        ((FAILING,), "never", EXIT_OK),
        ((FAILING, NOT_AUDITED), "error", EXIT_SITE_FAILED),  # not audited wins over findings
        ((NOT_AUDITED,), "never", EXIT_SITE_FAILED),
        ((MISSING_PHASE,), "error", EXIT_SITE_FAILED),  # incomplete, nothing failing: never 0
        ((UNCONFIRMED, CLEAN), "never", EXIT_SITE_FAILED),
        ((FAILING, MISSING_PHASE), "error", EXIT_FINDINGS),  # failing findings are named first
        ((), "error", EXIT_SITE_FAILED),  # nothing shown is not clean
    ],
)
def test_exit_codes(sites: tuple[SiteResult, ...], fail_on: str, code: int) -> None:
    run = run_of(*sites)
    assert exit_code_for(run, fail_on) == code
    assert exit_code_for_sites(iter(sites), fail_on) == code  # the streamed form of large runs agrees


def test_the_threshold_recorded_in_the_run_is_the_default() -> None:
    assert exit_code_for(run_of(WARNED, fail_on="warning")) == EXIT_FINDINGS
    assert exit_code_for(run_of(WARNED, fail_on="error")) == EXIT_OK
    assert exit_code_for(run_of(WARNED, fail_on="warning"), "error") == EXIT_OK


def test_bad_fail_on_is_named() -> None:
    with pytest.raises(ValueError, match="expected one of: error, warning, info, never"):
        exit_code_for(run_of(), "critical")
    with pytest.raises(ValueError, match="critical"):
        exit_code_for_sites([], "critical")


def test_not_evaluated_counts_as_failing_at_its_severity_even_below_a_baselined_fail() -> None:
    assert is_failing(finding("warning", "error"), "warning")
    assert not is_failing(finding("warning", "error"), "error")
    assert not is_failing(finding("error", baseline="ok"), "error")


def test_gaps_name_what_was_not_evaluated() -> None:
    assert gaps(CLEAN) == () and gaps(CONFIRMED) == ()
    assert [(g.kind, g.phase) for g in gaps(MISSING_PHASE)] == [("phase-missing", "accept")]
    assert [(g.kind, g.phase) for g in gaps(FAILED_PHASE)] == [("phase-failed", "reject")]
    assert [(g.kind, g.phase) for g in gaps(NOT_CLICKED)] == [("consent", "reject")]
    (gap,) = gaps(UNCONFIRMED)
    assert (gap.kind, gap.phase) == ("consent", "reject") and "unconfirmed" in gap.detail
    assert [(g.kind, g.rule) for g in gaps(NOT_EVALUATED_INFO)] == [("rule", "r")]
    assert [g.kind for g in gaps(NOT_AUDITED)] == ["site"]


def test_an_unconfirmed_choice_survives_the_results_file_and_old_results_count_as_unconfirmed() -> None:
    data = to_jsonable(UNCONFIRMED)
    assert data["phases"]["reject"]["consent"]["effect"] == "unconfirmed"
    assert site_verdict(from_jsonable(SiteResult, data)) is Verdict.INCOMPLETE
    # Results written before clicks were confirmed have no ``effect``: never a pass.
    del data["phases"]["reject"]["consent"]["effect"]
    assert site_verdict(from_jsonable(SiteResult, data)) is Verdict.INCOMPLETE


# --- every output says the same thing -------------------------------------------------------------

RUNS: dict[str, tuple[SiteResult, ...]] = {
    "clean": (CLEAN, INFO_ONLY),
    "warnings": (CLEAN, WARNED),
    "failing": (CLEAN, FAILING),
    "not-evaluated": (CLEAN, NOT_EVALUATED_INFO),
    "missing-phase": (CLEAN, MISSING_PHASE),
    "failed-phase": (FAILED_PHASE,),
    "not-clicked": (NOT_CLICKED,),
    "unconfirmed": (CLEAN, UNCONFIRMED),
    "not-audited": (CLEAN, NOT_AUDITED),
    "baselined": (BASELINED,),
    "mixed": (FAILING, MISSING_PHASE, WARNED),
}
MATRIX = [(name, fail_on) for name in RUNS for fail_on in ("error", "warning", "info", "never")]


def _said_by_text(text: str, verdict: Verdict) -> bool:
    return f"Verdict: {verdict.label}** (exit {verdict.exit_code}" in text or (
        f"Verdict: {verdict.label} (exit {verdict.exit_code}" in text
    )


@pytest.mark.parametrize(("name", "fail_on"), MATRIX)
def test_every_output_agrees_with_the_verdict(name: str, fail_on: str) -> None:
    run = run_of(*RUNS[name], fail_on=fail_on)
    verdict = run_verdict(run)
    per_site = {s.url: site_verdict(s, fail_on) for s in run.sites}
    code = verdict.exit_code

    for fmt in (Format.CONSOLE, Format.MARKDOWN):
        assert _said_by_text(render(run, fmt), verdict), fmt
    assert _said_by_text(github_annotations(run).splitlines()[0], verdict)

    html = render(run, Format.HTML)
    head = html.split('<p class="run-verdict">', 1)[1].split("</p>", 1)[0]
    assert f"v-{verdict.value}" in head and f"exit code {code}" in head
    assert ("badge v-pass" in html) == (Verdict.PASS in per_site.values())  # green only for a pass

    sarif = json.loads(render(run, Format.SARIF))["runs"][0]["properties"]
    assert (sarif["verdict"], sarif["exitCode"], sarif["failOn"]) == (verdict.value, code, fail_on)

    junit = ET.fromstring(render(run, Format.JUNIT).encode("utf-8"))
    red = int(junit.get("failures", "0")) + int(junit.get("errors", "0"))
    assert (red > 0) == (code != EXIT_OK)

    rows = list(csv.DictReader(io.StringIO(render(run, Format.CSV))))
    assert {r["url"]: r["verdict"] for r in rows} == {u: v.value for u, v in per_site.items()}
    compare_rows = build_comparison([("a", run)]).rows
    assert {r.url: r.verdict for r in compare_rows} == per_site

    diff = diff_runs(run, run)
    assert {s.url: s.new_verdict for s in diff.sites} == per_site
    assert diff.exit_code() == EXIT_OK  # nothing changed

    again = from_jsonable(RunResult, json.loads(render(run, Format.JSON)))
    assert again.fail_on == fail_on  # the threshold travels with the results file
    assert run_verdict(again) is verdict


def test_the_sentence_puts_what_is_unconfirmed_before_the_good_news() -> None:
    from auditor.formats.summary import summarise_site

    sentence = summarise_site(UNCONFIRMED).sentence
    assert sentence.startswith("Could not confirm everything: the effect of the reject click is unconfirmed")
    assert "Seen: no tracker cookie" in sentence
    assert summarise_site(CLEAN).sentence.startswith("No tracker cookie")
