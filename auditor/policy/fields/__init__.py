"""What a rule can look at: the subject kinds and, for each, its fields (the registry).

The fields live by subject: :mod:`~auditor.policy.fields.evidence` (cookies, Set-Cookie headers,
requests, storage, classification), :mod:`~auditor.policy.fields.banner` (banner, controls, consent
choice, TCF); :mod:`~auditor.policy.fields.core` holds what they share.

One registry drives everything that names a field: the matchers of ``when`` conditions, the
``{placeholders}`` of messages, the evidence attached to findings, the JSON Schema of rule packs
and the generated documentation. A field is read from an :class:`Item` (one subject in one phase
of one site) by a small accessor function.

An accessor raises :class:`MissingEvidence` when the value it needs was not collected (e.g. the
size of a banner button, or the number of clicks of a choice that was never made): the engine
then reports the rule as *not evaluated* (outcome ``error``) instead of silently passing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from auditor.knowledge.consentmode import consent_mode_of
from auditor.model import (
    Banner,
    Classification,
    ConsentAction,
    Cookie,
    PhaseResult,
    Request,
    SetCookieHeader,
    StorageItem,
    TcfState,
    to_jsonable,
)
from auditor.party import host_of
from auditor.policy.fields.banner import BANNER_FIELDS, CONSENT_FIELDS, CONTROL_FIELDS, TCF_FIELDS
from auditor.policy.fields.core import (
    PHASE_LABELS,
    SUBJECT_KINDS,
    Accessor,
    Context,
    FieldSpec,
    FieldType,
    Item,
    MissingEvidence,
    SubjectKind,
    attribute,
)
from auditor.policy.fields.declared import (
    DECLARED_COOKIE_FIELDS,
    DECLARED_FIELD_NAMES,
    DECLARED_REQUEST_FIELDS,
    DECLARED_TCF_FIELDS,
)
from auditor.policy.fields.evidence import (
    COOKIE_FIELDS,
    REQUEST_FIELDS,
    SET_COOKIE_FIELDS,
    STORAGE_FIELDS,
    classification_of,
)

FIELDS: Mapping[str, Mapping[str, FieldSpec]] = {
    "cookie": {f.name: f for f in (*COOKIE_FIELDS, *DECLARED_COOKIE_FIELDS)},
    "set_cookie": {f.name: f for f in SET_COOKIE_FIELDS},
    "request": {f.name: f for f in (*REQUEST_FIELDS, *DECLARED_REQUEST_FIELDS)},
    "storage": {f.name: f for f in STORAGE_FIELDS},
    "banner": {f.name: f for f in BANNER_FIELDS},
    "consent": {f.name: f for f in CONSENT_FIELDS},
    "tcf": {f.name: f for f in (*TCF_FIELDS, *DECLARED_TCF_FIELDS)},
    "control": {f.name: f for f in CONTROL_FIELDS},
}
"""Fields per subject kind (``control`` is the kind of the nested ``has_control`` condition)."""

KIND_DOCS: Mapping[str, str] = {
    "cookie": "A cookie in the browser's jar at the end of the phase.",
    "set_cookie": "A Set-Cookie response header seen during the phase, whether or not the browser stored the cookie.",
    "request": "A network request made by the page (any frame) during the phase.",
    "storage": "A localStorage or sessionStorage key.",
    "banner": "The consent banner as found in the phase (one subject per phase; needs banner evidence).",
    "consent": "The consent choice attempted in the phase (one subject per phase).",
    "tcf": "A decoded IAB TCF v2 state (from `__tcfapi` or the `euconsent-v2` cookie); none when the site has no TCF.",
    "control": "A banner control (button, link, checkbox), inside `has_control`.",
}

COMMON_PLACEHOLDERS: Mapping[str, str] = {
    "rule": "The rule id.",
    "phase": "The phase name (`before`, `reject`, `accept`).",
    "phase_label": "The phase in words (`after refusal`).",
    "count": "How many subjects matched.",
    "site": "The audited site URL.",
}


def subjects_of(kind: str, phase: PhaseResult) -> tuple[Any, ...]:
    """The raw subjects of ``kind`` in a phase (banner/consent: zero or one)."""
    if kind == "cookie":
        return phase.cookies
    if kind == "set_cookie":
        return phase.set_cookie_headers
    if kind == "request":
        return phase.requests
    if kind == "storage":
        return phase.storage
    if kind == "tcf":
        return phase.tcf
    if kind == "banner":
        return (phase.banner,) if phase.banner is not None else ()
    if kind == "consent":
        return (phase.consent,) if phase.consent is not None else ()
    raise KeyError(kind)


def _jsonable_classification(c: Classification | None) -> Any:
    return to_jsonable(c) if c is not None else None


def base_evidence(item: Item) -> dict[str, Any]:
    """The evidence recorded for a subject, whatever the rule (no cookie values: they can identify people)."""
    obj = item.obj
    if isinstance(obj, Cookie):
        return {
            "name": obj.name,
            "domain": obj.domain,
            "path": obj.path,
            "party": obj.party,
            "set_by": obj.set_by,
            "lifetime_days": round(obj.lifetime_days, 1) if obj.lifetime_days is not None else None,
            "secure": obj.secure,
            "http_only": obj.http_only,
            "same_site": obj.same_site,
            "classification": _jsonable_classification(obj.classification),
        }
    if isinstance(obj, SetCookieHeader):
        return {
            "name": obj.name,
            "domain": obj.domain,
            "url": obj.url,
            "host": obj.host,
            "party": obj.party,
            "stored": obj.stored,
            "attributes": dict(obj.attributes),
            "classification": _jsonable_classification(classification_of(item)),
        }
    if isinstance(obj, Request):
        evidence = {
            "url": obj.url,
            "host": obj.host,
            "resource_type": obj.resource_type,
            "method": obj.method,
            "party": obj.party,
            "initiator": obj.initiator,
            "status": obj.status,
            "classification": _jsonable_classification(obj.classification),
        }
        signal = consent_mode_of(obj)
        if signal is not None:
            evidence["consent_mode"] = to_jsonable(signal)
        return evidence
    if isinstance(obj, StorageItem):
        return {
            "origin": obj.origin,
            "kind": obj.kind,
            "key": obj.key,
            "size": obj.size,
            "party": obj.party,
            "shape": to_jsonable(obj.shape) if obj.shape is not None else None,
            "classification": _jsonable_classification(obj.classification),
        }
    if isinstance(obj, Banner):
        return {
            "found": obj.found,
            "cmp": obj.cmp,
            "frame_url": obj.frame_url,
            "screenshot": obj.screenshot,
            "controls": [
                {
                    k: v
                    for k, v in to_jsonable(c).items()
                    if k in ("label", "role", "kind", "layer", "width", "height", "contrast", "font_size", "checked")
                }
                for c in obj.controls
            ],
        }
    if isinstance(obj, ConsentAction):
        return {
            "action": obj.action,
            "clicked": obj.clicked,
            "label": obj.label,
            "method": obj.method,
            "steps": obj.steps,
            "reason": obj.reason,
            "effect": obj.effect,
            "effect_reason": obj.effect_reason,
            "effect_evidence": to_jsonable(obj.effect_evidence) if obj.effect_evidence is not None else None,
        }
    if isinstance(obj, TcfState):
        data: dict[str, Any] = to_jsonable(obj)
        return data
    return {}


def subject_ids(kind: str, item: Item) -> tuple[str | None, str | None, str | None]:
    """(name, domain, url) identifying a subject in a finding."""
    obj = item.obj
    if isinstance(obj, Cookie):
        return obj.name, obj.domain, None
    if isinstance(obj, SetCookieHeader):
        return obj.name, obj.domain, obj.url
    if isinstance(obj, Request):
        return None, obj.host, obj.url
    if isinstance(obj, StorageItem):
        return obj.key, host_of(obj.origin), obj.origin
    if isinstance(obj, Banner):
        return obj.cmp, None, obj.frame_url or item.ctx.phase.url
    if isinstance(obj, ConsentAction):
        return obj.label, None, obj.frame_url or item.ctx.phase.url
    if isinstance(obj, TcfState):
        return "euconsent-v2" if obj.source == "cookie" else "__tcfapi", None, item.ctx.phase.url
    return None, None, None


FINDING_KIND: Mapping[str, Literal["cookie", "request", "storage", "banner", "tcf", "site"]] = {
    "cookie": "cookie",
    "set_cookie": "cookie",
    "request": "request",
    "storage": "storage",
    "banner": "banner",
    "consent": "banner",
    "tcf": "tcf",
}
"""The results-contract ``subject.kind`` of each rule subject kind (a Set-Cookie attempt is about a
cookie; a consent action is a banner interaction). The rule's own kind is in ``evidence.subject_kind``."""


__all__ = [
    "COMMON_PLACEHOLDERS",
    "DECLARED_FIELD_NAMES",
    "FIELDS",
    "FINDING_KIND",
    "KIND_DOCS",
    "PHASE_LABELS",
    "SUBJECT_KINDS",
    "Accessor",
    "Context",
    "FieldSpec",
    "FieldType",
    "Item",
    "MissingEvidence",
    "SubjectKind",
    "attribute",
    "base_evidence",
    "subject_ids",
    "subjects_of",
]
