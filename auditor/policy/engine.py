"""Evaluating rules on a saved visit: a pure function from (SiteResult, RuleSet) to findings.

For each rule and each phase it applies to:

1. the phase must exist and not have failed, and the evidence the rule requires must be there
   (``banner``: banner evidence was recorded); in the ``reject`` and ``accept`` phases, for **every**
   rule, the choice must have been clicked and its effect ``confirmed`` (only the rules that judge
   the effect itself, :func:`judges_effect`, see an unconfirmed or contradicted one) — otherwise
   **one** finding with outcome ``error`` says what is missing;
2. the rule's condition is tested on every subject of its kind; if a field it needs was not
   collected (:class:`~auditor.policy.fields.MissingEvidence`), again one ``error`` finding;
3. the expectation decides the ``fail`` findings: ``absent`` → one per matching subject (or per
   ``group_by`` group), ``present`` → one when nothing matched, ``at_most``/``at_least`` → one
   for the count.

Nothing is ever a silent pass: a rule either yields findings or had the evidence to say it holds.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from auditor.model import CHOICE_PHASES, EXTRA_PHASES, PHASES, Finding, PhaseName, PhaseResult, SiteResult, Subject
from auditor.policy.fields import (
    DECLARED_FIELD_NAMES,
    FIELDS,
    FINDING_KIND,
    PHASE_LABELS,
    Context,
    Item,
    MissingEvidence,
    base_evidence,
    subject_ids,
    subjects_of,
)
from auditor.policy.rules import Rule, RuleSet
from auditor.policy.template import render

MAX_LISTED = 20
"""How many matched subjects a count finding lists in its evidence."""


def evaluate(site: SiteResult, rules: RuleSet | Sequence[Rule]) -> tuple[Finding, ...]:
    """Evaluate ``rules`` on one (classified) site; returns findings in rule order, then phase order.

    Pure: reads nothing but its arguments, so it runs on saved results with no browser.
    """
    contexts: dict[tuple[str, int], Context] = {}
    items: dict[tuple[str, str, int], list[Item]] = {}
    out: list[Finding] = []
    for rule in rules:
        for phase_name in rule.phases:
            if phase_name in EXTRA_PHASES and phase_name not in site.requested:
                continue  # an optional phase nobody asked for: not run, so neither judged nor a gap
            phase = site.phases.get(phase_name)
            problem = _missing(site, phase_name, phase, rule)
            if problem is not None:
                out.append(_error(site, rule, phase_name, problem))
                continue
            assert phase is not None
            decl = id(rule.declarations)
            ctx = contexts.get((phase_name, decl))
            if ctx is None:
                ctx = contexts[(phase_name, decl)] = Context(site, phase, rule.declarations)
            key = (phase_name, rule.subject, decl)
            subject_items = items.get(key)
            if subject_items is None:
                subject_items = items[key] = [Item(obj, ctx) for obj in subjects_of(rule.subject, phase)]
            try:
                matched = [item for item in subject_items if rule.predicate(item)]
            except MissingEvidence as exc:
                out.append(_error(site, rule, phase_name, exc.reason))
                continue
            out.extend(_verdict(site, rule, phase_name, matched))
    return tuple(out)


def _missing(site: SiteResult, phase_name: str, phase: PhaseResult | None, rule: Rule) -> str | None:
    """Why the rule cannot be evaluated in this phase, or ``None`` when it can."""
    if phase is None:
        why = f": {site.error}" if site.error else ""
        return f"the {phase_name} phase was not run{why}"
    if judges_way_back(rule) and phase.withdrawal is not None and phase.withdrawal.way_back is not None:
        return None  # the way back was searched after a confirmed acceptance: judged whatever followed
    if phase.status == "error":
        return f"the {phase_name} phase failed: {phase.error or 'no reason recorded'}"
    if phase_name in CHOICE_PHASES:
        problem = _unconfirmed_choice(phase_name, phase, rule)
        if problem is not None:
            return problem
    if "banner" in rule.requires and phase.banner is None:
        return f"no banner evidence was recorded in the {phase_name} phase"
    return None


EFFECT_FIELDS = frozenset({"effect", "banner_back"})
"""Consent fields that describe the click's effect itself (a banner back on the next page makes it unconfirmed)."""


def judges_effect(rule: Rule) -> bool:
    """Whether a rule is about the consent click's effect itself (a ``consent`` rule whose condition reads
    ``effect`` or ``banner_back``): it is evaluated whatever the effect, to report a contradicted or forgotten
    choice as a violation."""
    return rule.subject == "consent" and bool(EFFECT_FIELDS & set(rule.fields_used))


WAY_BACK_FIELDS = frozenset({"way_back"})
"""Consent fields that describe the search for a way back to the choices (``withdraw`` phase)."""


def judges_way_back(rule: Rule) -> bool:
    """Whether a rule is about the way back to the consent choices (a ``consent`` rule whose condition reads
    ``way_back``): judged once the way back was searched, also when none was found and nothing was refused."""
    return rule.subject == "consent" and bool(WAY_BACK_FIELDS & set(rule.fields_used))


def _unconfirmed_choice(phase_name: str, phase: PhaseResult, rule: Rule) -> str | None:
    """Why the phase's choice cannot be trusted, for **every** rule of a reject or accept phase.

    Behaviour after a choice means nothing unless the choice was made and confirmed
    (:mod:`auditor.browser.confirm`): a click the site ignored looks exactly like a correct refusal.
    An ``effect`` other than ``confirmed`` (``None`` in results written before it existed included)
    makes the rule not evaluated, never passed.
    """
    consent = phase.consent
    verb = "refusal" if CHOICE_PHASES[phase_name] == "reject" else "acceptance"
    if consent is None:
        return f"no {phase_name} choice was recorded, so behaviour {PHASE_LABELS[phase_name]} is not verifiable"
    if consent.action != CHOICE_PHASES[phase_name]:
        return f"the {phase_name} phase recorded a {consent.action!r} action, so the {verb} is not verifiable"
    if not consent.clicked:
        reason = consent.reason or "no reason recorded"
        return f"the {phase_name} control was not clicked ({reason}), so the {verb} is not verifiable"
    if consent.effect != "confirmed" and not judges_effect(rule):
        if consent.effect is None:
            return f"{verb} not confirmed: the results predate effect checks, so whether the site took it is unknown"
        return f"{verb} not confirmed ({consent.effect}): {consent.effect_reason or 'no reason recorded'}"
    return None


def _common(site: SiteResult, rule: Rule, phase: str, count: int) -> dict[str, Any]:
    return {"rule": rule.id, "phase": phase, "phase_label": PHASE_LABELS[phase], "count": count, "site": site.url}


def _error(site: SiteResult, rule: Rule, phase: str, reason: str) -> Finding:
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        phase=_phase(phase),
        subject=Subject(kind=FINDING_KIND[rule.subject]),
        message=f"Not evaluated: {reason}. ({rule.title})",
        evidence={"subject_kind": rule.subject, "missing": reason},
        outcome="error",
        source=rule.source_mapping(),
        pack=rule.pack,
    )


def _phase(name: str) -> PhaseName:
    assert name in PHASES
    return name  # type: ignore[return-value]


def _field_values(rule: Rule, item: Item) -> dict[str, Any]:
    """Values of the fields the rule's condition used (derived ones are the most telling evidence)."""
    fields = FIELDS[rule.subject]
    out: dict[str, Any] = {}
    for name in rule.fields_used:
        spec = fields[name]
        if not spec.evidence:
            continue
        try:
            value = spec.get(item)
        except MissingEvidence:
            continue
        out[name] = list(value) if isinstance(value, tuple) else value
    return out


def _evidence(rule: Rule, item: Item) -> dict[str, Any]:
    evidence = base_evidence(item)
    for name, value in _field_values(rule, item).items():
        evidence.setdefault(name, value)
    if DECLARED_FIELD_NAMES & set(rule.fields_used) and "declaration" in FIELDS[rule.subject]:
        # Findings on a declaration cite it: where it was read (URL and quote or table row).
        with contextlib.suppress(MissingEvidence):
            evidence.setdefault("declaration", FIELDS[rule.subject]["declaration"].get(item))
    evidence["subject_kind"] = rule.subject
    return evidence


def _template_values(rule: Rule, item: Item) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, spec in FIELDS[rule.subject].items():
        if spec.type == "controls":
            continue
        try:
            values[name] = spec.get(item)
        except MissingEvidence:
            values[name] = None
    return values


def _subject(rule: Rule, item: Item) -> Subject:
    name, domain, url = subject_ids(rule.subject, item)
    return Subject(kind=FINDING_KIND[rule.subject], name=name, domain=domain, url=url)


def _verdict(site: SiteResult, rule: Rule, phase: str, matched: list[Item]) -> Iterator[Finding]:
    mode = rule.expect.mode
    if mode == "absent":
        if rule.group_by:
            yield from _grouped(site, rule, phase, matched)
            return
        for item in matched:
            values = _template_values(rule, item)
            values.update(_common(site, rule, phase, 1))
            yield Finding(
                rule=rule.id,
                severity=rule.severity,
                phase=_phase(phase),
                subject=_subject(rule, item),
                message=render(rule.message, values),
                evidence=_evidence(rule, item),
                source=rule.source_mapping(),
                pack=rule.pack,
            )
        return
    count = len(matched)
    if mode == "present":
        failed = count == 0
    elif mode == "at_most":
        failed = count > rule.expect.count
    else:
        failed = count < rule.expect.count
    if not failed:
        return
    listed = []
    for item in matched[:MAX_LISTED]:
        name, domain, url = subject_ids(rule.subject, item)
        listed.append({k: v for k, v in (("name", name), ("domain", domain), ("url", url)) if v is not None})
    yield Finding(
        rule=rule.id,
        severity=rule.severity,
        phase=_phase(phase),
        subject=Subject(kind=FINDING_KIND[rule.subject]),
        message=render(rule.message, _common(site, rule, phase, count)),
        evidence={
            "subject_kind": rule.subject,
            "count": count,
            "expected": rule.expect.describe(),
            "matched": listed,
        },
        source=rule.source_mapping(),
        pack=rule.pack,
    )


def _grouped(site: SiteResult, rule: Rule, phase: str, matched: list[Item]) -> Iterator[Finding]:
    fields = FIELDS[rule.subject]
    groups: dict[tuple[Any, ...], list[Item]] = {}
    for item in matched:
        key = tuple(fields[name].get(item) for name in rule.group_by)
        groups.setdefault(key, []).append(item)
    for key, members in groups.items():
        first = members[0]
        values = _template_values(rule, first)
        values = {name: values.get(name) for name in rule.group_by}
        values.update(_common(site, rule, phase, len(members)))
        evidence = _evidence(rule, first)
        evidence["count"] = len(members)
        evidence["group"] = dict(zip(rule.group_by, key, strict=True))
        if len(members) > 1:
            others = [subject_ids(rule.subject, m) for m in members[1:MAX_LISTED]]
            evidence["others"] = [url or name for name, _domain, url in others]
        yield Finding(
            rule=rule.id,
            severity=rule.severity,
            phase=_phase(phase),
            subject=_subject(rule, first),
            message=render(rule.message, values),
            evidence=evidence,
            source=rule.source_mapping(),
            pack=rule.pack,
        )
