"""The rule language's declared-versus-observed checks (a pack's ``declarations:`` section)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "rules"))

from build_cases import FBP, GA, IDE, SESSION, cookie, phase, request, site, tcf

from auditor.model import Finding
from auditor.policy import evaluate, load_rules
from auditor.yamlutil import ConfigError

POLICY = "https://www.example-presse.fr/cookies"

DECLARATIONS = f"""\
declarations:
  cookies:
    - name: PHPSESSID
      category: necessary
      lifetime_days: 0
      source: {{document: Cookie table, policy_url: "{POLICY}", quote: "PHPSESSID | Session | nécessaire"}}
    - name: "_ga*"
      category: analytics
      lifetime_days: 390
      source: {{document: Cookie table, policy_url: "{POLICY}", quote: "_ga | Mesure d'audience | 13 mois"}}
    - name: _fbp
      category: necessary
      lifetime_days: 30
      source: {{document: Cookie table, policy_url: "{POLICY}", quote: "_fbp | Technique | 30 jours"}}
  vendors:
    - name: Google Analytics
      domains: [google-analytics.com]
      tcf_id: 755
"""

RULES = """\
rules:
  - id: undeclared
    title: Every cookie is declared
    severity: error
    phases: [before]
    subject: cookie
    when: {declared: false}
    message: "{name} is not declared ({declaration})"
    source: {document: test}
  - id: lifetime
    title: No cookie outlives its declared lifetime
    severity: error
    phases: [before]
    subject: cookie
    when: {lifetime_over_declared: true}
    message: "{name} lives {lifetime_days} days, declared {declared_lifetime_days}"
    source: {document: test}
  - id: mis-declared
    title: No tracker declared technical
    severity: error
    phases: [before]
    subject: cookie
    when: {category_contradicts_declaration: true}
    message: "{name} declared {declared_category}, classified {category}"
    source: {document: test}
  - id: vendor
    title: Requests go to declared vendors only
    severity: error
    phases: [before]
    subject: request
    when: {tracker: true, vendor_declared: false}
    message: "{host} is not a declared vendor"
    source: {document: test}
  - id: tcf-vendor
    title: TCF consent only for declared vendors
    severity: error
    phases: [before]
    subject: tcf
    when: {undeclared_vendor_consents: {empty: false}}
    message: "undeclared TCF vendors have consent"
    source: {document: test}
"""


def pack(tmp_path: Path, declarations: str = DECLARATIONS, rules: str = RULES) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text("pack: {id: site, title: Site, extends: []}\n" + declarations + rules, encoding="utf-8")
    return path


def by_rule(findings: tuple[Finding, ...], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


VISIT = site(
    before=phase(
        "before",
        cookies=[SESSION, GA, IDE, FBP, cookie("_ga_X1", ".example-presse.fr", "ga", lifetime=500)],
        requests=[
            request("https://www.google-analytics.com/g/collect", "ga"),
            request("https://ad.doubleclick.net/activity", "doubleclick"),
        ],
        tcf=[tcf(vendor_consents=(755, 32))],
    )
)


def test_undeclared_cookie_cites_the_declared_list(tmp_path: Path) -> None:
    findings = by_rule(evaluate(VISIT, load_rules([pack(tmp_path)])), "undeclared")
    assert [(f.outcome, f.subject.name) for f in findings] == [("fail", "IDE")]
    assert "not among the 3 cookies declared" in findings[0].evidence["declaration"]
    assert "IDE is not declared" in findings[0].message


def test_lifetime_beyond_tolerance_cites_the_table_row(tmp_path: Path) -> None:
    findings = by_rule(evaluate(VISIT, load_rules([pack(tmp_path)])), "lifetime")
    # _ga: 395 days against 390 declared is inside the 10 % tolerance; _ga_X1 (500) and _fbp (90 vs 30) are not
    assert sorted(f.subject.name or "" for f in findings) == ["_fbp", "_ga_X1"]
    ga = next(f for f in findings if f.subject.name == "_ga_X1")
    assert ga.evidence["declaration"] == f"{POLICY} — « _ga | Mesure d'audience | 13 mois »"


def test_tracker_declared_necessary(tmp_path: Path) -> None:
    findings = by_rule(evaluate(VISIT, load_rules([pack(tmp_path)])), "mis-declared")
    assert [f.subject.name for f in findings] == ["_fbp"]
    assert "declared necessary, classified advertising" in findings[0].message


def test_undeclared_vendor_and_tcf_vendor(tmp_path: Path) -> None:
    findings = evaluate(VISIT, load_rules([pack(tmp_path)]))
    assert [f.subject.domain for f in by_rule(findings, "vendor")] == ["ad.doubleclick.net"]
    tcf_findings = by_rule(findings, "tcf-vendor")
    assert [f.outcome for f in tcf_findings] == ["fail"]
    assert tcf_findings[0].evidence["undeclared_vendor_consents"] == [32]


def test_unreadable_declarations_are_never_a_pass(tmp_path: Path) -> None:
    unreadable = DECLARATIONS + "  unreadable:\n    - {what: cookies, reason: the cookie table has no name column}\n"
    findings = evaluate(VISIT, load_rules([pack(tmp_path, unreadable)]))
    undeclared = by_rule(findings, "undeclared")
    assert [f.outcome for f in undeclared] == ["error"]
    assert "the cookie table has no name column" in undeclared[0].message


def test_a_list_not_declared_is_not_evaluated(tmp_path: Path) -> None:
    only_cookies = DECLARATIONS.split("  vendors:")[0]
    findings = evaluate(VISIT, load_rules([pack(tmp_path, only_cookies)]))
    assert [f.outcome for f in by_rule(findings, "vendor")] == ["error"]
    assert [f.outcome for f in by_rule(findings, "tcf-vendor")] == ["error"]
    assert "declares no vendor list" in by_rule(findings, "vendor")[0].message


def test_declarations_are_inherited_by_an_extending_pack(tmp_path: Path) -> None:
    pack(tmp_path, rules="rules: []\n")
    child = tmp_path / "child.yaml"
    child.write_text(
        "pack: {id: child, title: Child, extends: [site.yaml]}\nrules:\n"
        + textwrap.indent(RULES.split("rules:\n", 1)[1].split("  - id: lifetime")[0], ""),
        encoding="utf-8",
    )
    findings = evaluate(VISIT, load_rules([child]))
    assert [f.subject.name for f in by_rule(findings, "undeclared")] == ["IDE"]


def test_a_declared_field_without_declarations_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"uses declared, but pack 'site'.*no\s+declarations: section"):
        load_rules([pack(tmp_path, declarations="")])


def test_the_declarations_section_is_validated(tmp_path: Path) -> None:
    bad = "declarations:\n  cookies:\n    - {name: x, category: tasty}\n"
    with pytest.raises(ConfigError, match=r"site\.yaml:4"):
        load_rules([pack(tmp_path, bad)])


def test_the_documented_example_loads(tmp_path: Path) -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")
    section = docs.split("## Your site's own policy", 1)[1]
    example = next(block for block in section.split("```yaml\n")[1:] if block.startswith("declarations:"))
    path = tmp_path / "example.yaml"
    path.write_text("pack: {id: my-site, title: My site}\n" + example.split("```", 1)[0], encoding="utf-8")
    rules = load_rules([path])
    assert rules.ids == ("my-site-undeclared-tracker",)
    findings = evaluate(VISIT, rules)
    # the example declares _ga* on my-site.fr only: on www.example-presse.fr they are undeclared too
    assert {(f.outcome, f.subject.name) for f in findings} == {("fail", n) for n in ("IDE", "_fbp", "_ga", "_ga_X1")}
