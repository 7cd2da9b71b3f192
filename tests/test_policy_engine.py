"""Evaluation semantics: matchers, expectations, missing evidence, templates; baseline and exit codes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import textwrap
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "rules"))

from build_cases import GA, IDE, PCID, SESSION, cookie, phase, request, site

from auditor.cli.app import ExitCode
from auditor.model import BrowserInfo, Finding, RunResult, SiteResult, Subject, ToolInfo
from auditor.policy import (
    apply_baseline,
    baseline_from_findings,
    evaluate,
    exit_code_for,
    load_baseline,
    load_builtin_rules,
    load_rules,
    summarize,
)
from auditor.policy.template import render
from auditor.yamlutil import ConfigError


def one_rule(tmp_path: Path, rule: str, *, extra: str = "") -> Path:
    text = "pack: {id: t, title: T}\n" + extra + "rules:\n" + textwrap.indent(textwrap.dedent(rule), "  ")
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def cookie_rule(
    tmp_path: Path, when: str, *, phases: str = "[before]", expect: str = "absent", message: str = "{name}"
) -> Path:
    return one_rule(
        tmp_path,
        f"""\
        - id: r
          title: T
          severity: error
          phases: {phases}
          subject: cookie
          expect: {expect}
          message: "{message}"
          source: {{document: test}}
          when: {when}
        """,
    )


def names(findings: tuple[Finding, ...]) -> list[str | None]:
    return [f.subject.name for f in findings if f.outcome == "fail"]


BEFORE = site(
    before=phase("before", cookies=[IDE, GA, PCID, SESSION, cookie("__Host-x", "ads.Example.COM", None, party="third")])
)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("{domain: doubleclick.net}", ["IDE"]),
        ("{domain: {equals: doubleclick.net}}", ["IDE"]),  # leading dot ignored
        ("{domain: example.com}", ["__Host-x"]),  # case-insensitive, subdomains included
        ("{domain: ample.com}", []),  # a suffix only matches at a dot
        ("{name: {glob: '_p*'}}", ["_pcid"]),
        ("{name: {glob: ['_p*', 'I?E']}}", ["IDE", "_pcid"]),
        ("{name: {regex: '^_(ga|pc)'}}", ["_ga", "_pcid"]),
        ("{name: [IDE, PHPSESSID]}", ["IDE", "PHPSESSID"]),
        ("{name: ide}", []),  # names are case-sensitive
        ("{name: {prefix: PHP}}", ["PHPSESSID"]),
        ("{lifetime_days: {gt: 390}}", ["_ga"]),
        ("{lifetime_days: {gte: 390, lt: 395}}", ["IDE", "_pcid"]),
        ("{lifetime_days: {exists: false}}", ["PHPSESSID"]),
        ("{session: true}", ["PHPSESSID"]),
        ("{party: first, tracker: true}", ["_ga", "_pcid"]),
        ("{category: unknown}", ["__Host-x"]),
        ("{entity: {exists: false}}", ["PHPSESSID", "__Host-x"]),
        ("{not: {party: first}}", ["IDE", "__Host-x"]),
        ("{or: [{vendor: Google Analytics}, {exempt_possible: true}]}", ["_ga", "_pcid"]),
        ("{and: [{tracker: true}, {not: {exempt_possible: true}}]}", ["IDE", "_ga"]),
        ("{set_by: script}", ["_ga", "_pcid"]),
        ("{}", ["IDE", "_ga", "_pcid", "PHPSESSID", "__Host-x"]),
    ],
)
def test_matchers(tmp_path: Path, when: str, expected: list[str]) -> None:
    rules = load_rules([str(cookie_rule(tmp_path, when))])
    assert sorted(names(evaluate(BEFORE, rules)), key=str) == sorted(expected, key=str)


def test_expect_present_at_most_at_least(tmp_path: Path) -> None:
    present = load_rules([str(cookie_rule(tmp_path, "{name: _gid}", expect="present", message="no _gid: {count}"))])
    (finding,) = evaluate(BEFORE, present)
    assert finding.message == "no _gid: 0" and finding.evidence["count"] == 0
    assert finding.subject == Subject(kind="cookie")
    at_most = load_rules(
        [str(cookie_rule(tmp_path, "{tracker: true}", expect="{at_most: 1}", message="{count} trackers"))]
    )
    (finding,) = evaluate(BEFORE, at_most)
    assert finding.message == "3 trackers"
    assert [m["name"] for m in finding.evidence["matched"]] == ["IDE", "_ga", "_pcid"]
    assert not evaluate(
        BEFORE, load_rules([str(cookie_rule(tmp_path, "{tracker: true}", expect="{at_most: 3}", message="{count}"))])
    )
    at_least = load_rules([str(cookie_rule(tmp_path, "{tracker: true}", expect="{at_least: 4}", message="{count}"))])
    assert [f.message for f in evaluate(BEFORE, at_least)] == ["3"]


def test_finding_carries_everything(tmp_path: Path) -> None:
    path = cookie_rule(
        tmp_path, "{name: IDE}", message="{name} {domain} {entity} {category} {lifetime_days:.0f}d {phase_label}"
    )
    (finding,) = evaluate(BEFORE, load_rules([str(path)]))
    assert finding.rule == "r" and finding.severity == "error" and finding.phase == "before" and finding.pack == "t"
    assert finding.subject == Subject(kind="cookie", name="IDE", domain=".doubleclick.net")
    assert finding.message == "IDE .doubleclick.net Google advertising 390d before any consent choice"
    assert finding.evidence["party"] == "third" and finding.evidence["set_by"] == "header"
    assert finding.evidence["classification"]["entity"] == "Google"
    assert "value" not in finding.evidence  # cookie values can identify people
    assert finding.source == {"document": "test"}
    assert finding.outcome == "fail" and finding.baseline is None


@pytest.mark.parametrize(
    ("visit", "reason"),
    [
        (
            SiteResult(url="https://x.fr/", status="error", error="DNS failure"),
            "the before phase was not run: DNS failure",
        ),
        (site(before=phase("before", status="error", error="timeout")), "the before phase failed: timeout"),
    ],
)
def test_missing_phase_gives_one_error_per_rule_and_phase(tmp_path: Path, visit: SiteResult, reason: str) -> None:
    rules = load_rules([str(cookie_rule(tmp_path, "{tracker: true}"))])
    (finding,) = evaluate(visit, rules)
    assert finding.outcome == "error" and finding.phase == "before" and reason in finding.message
    assert finding.evidence["missing"] == reason


def test_reject_rules_need_the_reject_click(tmp_path: Path) -> None:
    from auditor.model import ConsentAction

    rules = load_rules([str(cookie_rule(tmp_path, "{tracker: true}", phases="[reject, accept]"))])
    failed = ConsentAction(action="reject", clicked=False, reason="reject button hidden")
    visit = site(reject=phase("reject", consent=failed, cookies=[IDE]), accept=phase("accept", consent=None))
    findings = evaluate(visit, rules)
    assert [(f.phase, f.outcome) for f in findings] == [("reject", "error"), ("accept", "error")]
    assert "reject button hidden" in findings[0].message and "refusal is not verifiable" in findings[0].message
    assert "no accept choice was recorded" in findings[1].message


def test_banner_rules_without_banner_evidence_error(tmp_path: Path) -> None:
    rules = load_rules(["edpb-banner"])
    findings = [f for f in evaluate(site(before=phase("before", banner=None)), rules) if f.phase == "before"]
    assert findings and all(f.outcome == "error" for f in findings)
    assert all("no banner evidence was recorded" in f.message for f in findings)


def test_set_cookie_classification_comes_from_the_request(tmp_path: Path) -> None:
    from build_cases import set_cookie

    beacon = "https://ad.doubleclick.net/x"
    visit = site(
        before=phase(
            "before",
            requests=[request(beacon, "doubleclick")],
            set_cookie_headers=[
                set_cookie("IDE", beacon, stored=False),
                set_cookie("z", "https://other.com/", stored=False),
            ],
        )
    )
    rules = load_rules(["baseline"])
    hits = [f for f in evaluate(visit, rules) if f.rule == "baseline-tracker-set-cookie-attempt"]
    assert [f.subject.name for f in hits] == ["IDE"]
    assert (
        hits[0].evidence["classification"]["entity"] == "Google"
        and hits[0].evidence["attributes"]["max-age"] == "33696000"
    )


def test_render() -> None:
    assert render("{a} {b:.1f} {c} {d}", {"a": None, "b": 2.25, "c": True, "d": (1, 2)}) == "unknown 2.2 yes 1, 2"
    assert render("{x:.0f}", {"x": "text"}) == "text"


def test_evaluation_is_fast_enough_for_thousands_of_sites() -> None:
    rules = load_builtin_rules()
    many = [IDE, GA, PCID, SESSION] * 50
    reqs = [request(f"https://www.google-analytics.com/g/collect?n={i}", "ga") for i in range(200)]
    visit = site(
        before=phase("before", cookies=many, requests=reqs),
        reject=phase("reject", cookies=many, requests=reqs),
        accept=phase("accept", cookies=many, requests=reqs),
    )
    start = time.perf_counter()
    for _ in range(10):
        evaluate(visit, rules)
    per_site = (time.perf_counter() - start) / 10
    assert per_site < 0.25, f"{per_site * 1000:.0f} ms per site with 200 cookies and 200 requests per phase"


# --- baseline and exit codes --------------------------------------------------------------------


def run_of(*sites: SiteResult) -> RunResult:
    return RunResult(ToolInfo("consent-audit", "0"), BrowserInfo(), "2026-01-01T00:00:00Z", None, (), tuple(sites))


def evaluated(visit: SiteResult) -> SiteResult:
    return dataclasses.replace(visit, findings=evaluate(visit, load_rules(["baseline", "cnil"])))


def test_baseline_accepts_and_reports_fixed(tmp_path: Path) -> None:
    visit = evaluated(site("https://www.example-presse.fr/", before=phase("before", cookies=[IDE, GA])))
    path = tmp_path / "baseline.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            accepted:
              - rule: "baseline-*"
                site: www.example-presse.fr
                name: IDE
                domain: "*doubleclick.net"
                reason: Ad server migration, ticket ADS-12
              - rule: cnil-no-tracker-cookie-without-consent
                site: https://www.example-presse.fr/
                phase: before
                reason: GA4 consent mode rollout
                expires: 2999-01-01
              - rule: cnil-tracker-lifetime
                site: www.example-presse.fr
                reason: fixed since
              - rule: cnil-no-tracker-cookie-without-consent
                site: other-site.fr
                reason: not in this run
              - rule: baseline-first-party-ad-cookie
                site: www.example-presse.fr
                reason: expired entry
                expires: 2020-01-01
            """
        ),
        encoding="utf-8",
    )
    baseline = load_baseline(path)
    run = run_of(visit)
    assert exit_code_for(run) == ExitCode.FINDINGS
    run2, fixed = apply_baseline(run, baseline, today=dt.date(2026, 6, 1))
    findings = run2.sites[0].findings
    ide = [f for f in findings if f.subject.name == "IDE" and f.rule.startswith("baseline")]
    assert ide and all(f.baseline == "Ad server migration, ticket ADS-12" for f in ide)
    assert all(
        f.baseline for f in findings if f.rule == "cnil-no-tracker-cookie-without-consent" and f.phase == "before"
    )
    assert [e.rule for e in fixed] == ["cnil-tracker-lifetime"]
    assert fixed[0].where().endswith("baseline.yaml:12")
    assert [e.reason for e in baseline.expired(dt.date(2026, 6, 1))] == ["expired entry"]
    assert exit_code_for(run2) == ExitCode.OK
    assert summarize(run2)["accepted"] == len([f for f in findings if f.baseline])


def test_baseline_entry_not_fixed_when_rule_could_not_run(tmp_path: Path) -> None:
    from auditor.model import ConsentAction

    failed = ConsentAction(action="reject", clicked=False, reason="not found")
    visit = evaluated(site("https://www.example-presse.fr/", reject=phase("reject", consent=failed)))
    path = tmp_path / "b.yaml"
    path.write_text("accepted:\n  - {rule: baseline-third-party-tracker-cookie, phase: reject, reason: r}\n", "utf-8")
    _run, fixed = apply_baseline(run_of(visit), load_baseline(path))
    assert fixed == ()


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("accepted:\n  - {rule: r}\n", 2, "'reason' is a required property"),
        ("accepted:\n  - {rule: r, reason: x, sight: y}\n", 2, "unknown key 'sight'"),
        ("accepted:\n  - rule: r\n    reason: x\n    expires: soon\n", 4, "expected a date"),
    ],
)
def test_baseline_errors(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as info:
        load_baseline(path)
    assert info.value.line == line and message in info.value.message


def test_baseline_from_findings_round_trips(tmp_path: Path) -> None:
    visit = evaluated(site("https://www.example-presse.fr/", before=phase("before", cookies=[IDE])))
    path = tmp_path / "b.yaml"
    path.write_text(baseline_from_findings([visit], "adopted"), "utf-8")
    run2, _fixed = apply_baseline(run_of(visit), load_baseline(path))
    assert all(f.baseline == "adopted" for f in run2.sites[0].findings)
