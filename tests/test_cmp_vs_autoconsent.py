"""Our CMP adapters (``auditor/browser/cmp/``) checked against DuckDuckGo autoconsent's rules (issue 12).

The adapters were written from documentation; autoconsent's rules are maintained against the real
vendors' banners. For every CMP both cover with a declarative rule (parsed from the vendored
``rules.json``), each control autoconsent clicks to opt out or in must be one our adapter names for
that CMP (its distinguishing token: the last ``#id``, else ``[attribute=value]``, else ``.class``), or
the divergence must be written in the adapter's ``notes``. Unticking steps (``all``) are not role
controls, and XPath steps pick buttons by their label (as the auditor's label finder does): both are
left out. Klaro, OneTrust, Cookiebot and Sourcepoint are code in autoconsent's script
(``lib/cmps/*.ts``), not declarative rules: the test checks they are still absent from ``rules.json``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest

from auditor.browser.autoconsent import vendored
from auditor.browser.cmp import ADAPTERS
from auditor.browser.cmp.interface import CmpAdapter

RULES: dict[str, tuple[str, ...]] = {
    "axeptio": ("axeptio",),
    "didomi": ("didomi",),
    "osano": ("osano",),
    "quantcast": ("quantcast",),
    "tarteaucitron": ("tarteaucitron.js", "tarteaucitron deny"),
    "usercentrics": ("usercentrics-api", "usercentrics-button"),
    "vanilla-cookieconsent": ("cookieconsent2", "cookieconsent3"),
}
"""Adapter id → the autoconsent rules for the same CMP."""
IN_CODE = ("Klaro", "Onetrust", "Cookiebot", "Sourcepoint-frame")
"""CMPs autoconsent handles in code, not in rules.json (names as its script reports them)."""

_TOKEN = re.compile(r"#[\w-]+|\[[^\]]+\]|\.[\w-]+")


def _tokens(selector: str) -> list[str]:
    return [t.replace('"', "").replace("'", "") for t in _TOKEN.findall(selector)]


def key_token(selector: str) -> str | None:
    """The distinguishing token of a selector's last compound: its ``#id``, else ``[attr=value]``, else class."""
    last = re.split(r"\s+|>", selector.strip())[-1]
    tokens = _tokens(last)
    for prefix in ("#", "["):
        found = [t for t in tokens if t.startswith(prefix)]
        if found:
            return found[-1]
    return tokens[-1] if tokens else None


def clicked(steps: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    """Every selector a rule's steps click (a chain's last element; a selector list split)."""
    for step in steps:
        for branch in ("then", "else", "any"):
            if isinstance(step.get(branch), list):
                yield from clicked(step[branch])
        if step.get("all"):
            continue  # unticking every option: no role control
        for kind in ("click", "waitForThenClick"):
            target = step.get(kind)
            if isinstance(target, list):
                target = target[-1]
            if isinstance(target, str) and not target.startswith("xpath/"):  # xpath: by label, as ours
                yield from (s.strip() for s in target.split(","))


def divergences(adapter: CmpAdapter, rule_names: Sequence[str]) -> list[str]:
    """Controls autoconsent clicks for this CMP that the adapter neither names nor documents."""
    ours = {t for selectors in adapter.controls.values() for s in selectors for t in _tokens(s)}
    notes = adapter.notes.replace('"', "").replace("'", "")
    found = []
    for name in rule_names:
        rule = vendored().rule(name)
        assert rule is not None, f"autoconsent has no rule {name!r} any more"
        for phase in ("optOut", "optIn"):
            for selector in clicked(rule.data.get(phase, [])):
                token = key_token(selector)
                if token is None or token in ours or token in notes:
                    continue
                found.append(f"{name} {phase}: {selector} ({token})")
    return found


@pytest.mark.parametrize("adapter_id", sorted(RULES))
def test_adapter_matches_the_autoconsent_rule(adapter_id: str) -> None:
    adapter = ADAPTERS[adapter_id]
    found = divergences(adapter, RULES[adapter_id])
    assert not found, f"{adapter_id}: undocumented divergences from autoconsent: {found}"


def test_cmps_autoconsent_handles_in_code_are_still_not_declarative() -> None:
    names = {r.name for r in vendored().rules}
    assert not names & set(IN_CODE)
    assert "Klaro" in vendored().script and "Onetrust" in vendored().script


def test_the_token_of_a_selector_is_its_most_specific_part() -> None:
    assert key_token("#usercentrics-root") == "#usercentrics-root"
    assert key_token('.qc-cmp2-summary-buttons > button[mode="secondary"]') == "[mode=secondary]"
    assert key_token(".axeptio_mount .needsclick") == ".needsclick"
    steps = [{"if": {}, "then": [{"click": ["#root", "#deny,.deny"]}], "else": [{"click": "input", "all": True}]}]
    assert list(clicked(steps)) == ["#deny", ".deny"]
