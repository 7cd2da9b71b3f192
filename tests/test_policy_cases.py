"""Table-driven rule tests: every folder under tests/rules/{cases,recorded} with a visit.json and an expected.yaml.

A case loads the built-in packs (or those its ``packs`` key names), evaluates the saved visit and
checks that every ``present`` entry matches at least one finding (exactly ``count`` when given) and
that no ``absent`` entry matches any (an entry without ``rule`` matches any rule, e.g. ``{outcome: error}``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.model import Finding, SiteResult, from_jsonable
from auditor.policy import RuleSet, evaluate, load_builtin_rules, load_rules

RULES = Path(__file__).resolve().parent / "rules"
CASES = RULES / "cases"
"""Cases written by tests/rules/build_cases.py."""
RECORDED = RULES / "recorded"
"""Visits recorded from the fixture web (real collector evidence, classified by the knowledge base)."""
CASE_DIRS = sorted(p.parent for base in (CASES, RECORDED) for p in base.rglob("expected.yaml"))


@cache
def _rules(packs: tuple[str, ...]) -> RuleSet:
    return load_rules(packs) if packs else load_builtin_rules()


def _matches(finding: Finding, entry: Mapping[str, Any]) -> bool:
    checks = {
        "rule": finding.rule,
        "phase": finding.phase,
        "subject_name": finding.subject.name,
        "subject_domain": finding.subject.domain,
        "outcome": finding.outcome,
        "severity": finding.severity,
    }
    return all(entry[key] == actual for key, actual in checks.items() if key in entry)


def _describe(findings: tuple[Finding, ...]) -> str:
    return "\n".join(
        f"  {f.outcome:5} {f.rule} [{f.phase}] {f.subject.name or ''} {f.subject.domain or ''}: {f.message}"
        for f in findings
    )


@pytest.mark.parametrize("case_dir", CASE_DIRS, ids=[str(p.relative_to(RULES)) for p in CASE_DIRS])
def test_rule_case(case_dir: Path) -> None:
    expected = yaml.safe_load((case_dir / "expected.yaml").read_text("utf-8"))
    site = from_jsonable(SiteResult, json.loads((case_dir / "visit.json").read_text("utf-8")))
    rules = _rules(tuple(expected.get("packs") or ()))
    findings = evaluate(site, rules)
    for entry in expected.get("present") or []:
        entry = {"outcome": "fail", **entry}
        hits = [f for f in findings if _matches(f, {k: v for k, v in entry.items() if k != "count"})]
        assert hits, f"expected a finding {entry}, got:\n{_describe(findings)}"
        if "count" in entry:
            assert len(hits) == entry["count"], (
                f"expected {entry['count']} finding(s) {entry}, got:\n{_describe(tuple(hits))}"
            )
    for entry in expected.get("absent") or []:
        hits = [f for f in findings if _matches(f, entry)]
        assert not hits, f"unexpected finding(s) for {entry}:\n{_describe(tuple(hits))}"


def test_every_builtin_rule_has_a_case_where_it_fires() -> None:
    covered = set()
    for case_dir in CASE_DIRS:
        expected = yaml.safe_load((case_dir / "expected.yaml").read_text("utf-8"))
        covered |= {e["rule"] for e in expected.get("present") or []}
    missing = set(load_builtin_rules().ids) - covered
    assert not missing, f"built-in rules that no case shows firing: {sorted(missing)}"
