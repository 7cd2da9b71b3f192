"""A banner's (or a policy's) promises: sentences such as « seuls les cookies techniques seront déposés ».

A small table maps patterns (French, English, German; matched on accent-folded text) to promise kinds;
each kind becomes rules of the drafted pack (:func:`promise_rules`), citing the sentence it came from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from auditor.declared.words import fold

PromiseKind = Literal[
    "only-technical-after-refusal",
    "no-social-after-refusal",
    "no-ads-after-refusal",
    "audience-measurement-only",
]

PATTERNS: tuple[tuple[PromiseKind, re.Pattern[str]], ...] = (
    (
        "only-technical-after-refusal",
        re.compile(
            r"seul(?:e)?s (?:les |des )?(?:cookies|traceurs)(?: et traceurs)? (?:techniques|strictement necessaires"
            r"|necessaires|essentiels|indispensables)"
            r"|(?:uniquement|seulement) (?:les |des )?(?:cookies|traceurs) (?:techniques|strictement necessaires"
            r"|necessaires|essentiels)"
            r"|only (?:the )?(?:strictly |technically )?(?:necessary|essential|technical|required) cookies"
            r"|(?:(?:use|set|place|store) only|only (?:use|set|place|store)) (?:strictly )?(?:necessary|essential)"
            r" cookies"
            r"|nur (?:noch )?(?:technisch )?(?:notwendige|erforderliche|essenzielle|essentielle) cookies"
        ),
    ),
    (
        "no-social-after-refusal",
        re.compile(
            r"reseaux sociaux ne (?:vous )?(?:suivront|pourront plus|traceront)"
            r"|(?:traceurs|cookies|boutons) (?:des |de )?reseaux sociaux (?:seront |sont )?(?:desactives|bloques)"
            r"|social (?:media|networks?) (?:will )?(?:no longer|not|never) (?:track|follow)"
            r"|social (?:media|network) (?:cookies|trackers|plugins) (?:will be |are )?(?:disabled|blocked|turned off)"
            r"|soziale(?:n)? (?:netzwerke|medien) .{0,40}nicht mehr"
            r"|social[- ]media[- ](?:cookies|plugins) .{0,30}(?:deaktiviert|blockiert)"
        ),
    ),
    (
        "no-ads-after-refusal",
        re.compile(
            r"(?:aucun|pas de) (?:cookie|traceur)s? (?:publicitaires?|de publicite|de ciblage)"
            r"|(?:cookies|traceurs) publicitaires (?:ne seront pas|seront desactives|ne sont pas)"
            r"|no (?:advertising|marketing|ad|targeting) (?:cookies|trackers)"
            r"|(?:advertising|marketing) cookies (?:will not|won't|are not) be (?:set|used|placed)"
            r"|keine (?:werbe|marketing)[- ]?cookies"
        ),
    ),
    (
        "audience-measurement-only",
        re.compile(
            r"(?:uniquement|seulement|seuls) (?:des |les )?(?:cookies|traceurs) (?:de )?mesure d'audience"
            r"|only (?:audience measurement|analytics|statistics) cookies"
            r"|nur (?:statistik|analyse)[- ]?cookies"
        ),
    ),
)
"""Promise patterns → promise kinds (on :func:`~auditor.declared.words.fold`-ed text)."""

AUDIENCE_WORDS = re.compile(r"mesure d'audience|audience measurement|statisti|analytics|reichweitenmessung")
"""Words saying audience measurement is allowed alongside technical cookies (« ... ou de mesure d'audience »)."""


@dataclass(frozen=True)
class Promise:
    """A promise found in the site's own words."""

    kind: PromiseKind
    quote: str
    """The sentence, verbatim (as the page shows it)."""
    url: str
    """Where it was read (the page the banner was on, or the policy page)."""
    where: str = "banner"
    """``banner`` or ``policy``."""
    audience_allowed: bool = False
    """For ``only-technical-after-refusal``: the same sentence also allows audience measurement."""


_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")


def find_promises(text: str | None, url: str, where: str = "banner") -> tuple[Promise, ...]:
    """The promises of a text, one per kind (the first sentence that makes it)."""
    if not text:
        return ()
    found: dict[PromiseKind, Promise] = {}
    for sentence in (s.strip() for s in _SENTENCES.split(text)):
        folded = fold(sentence)
        for kind, pattern in PATTERNS:
            if kind not in found and pattern.search(folded):
                audience = kind == "only-technical-after-refusal" and AUDIENCE_WORDS.search(folded) is not None
                found[kind] = Promise(kind, sentence, url, where, audience)
    return tuple(found.values())


def _source(promise: Promise, document: str) -> dict[str, str]:
    return {"document": document, "policy_url": promise.url, "quote": promise.quote}


def promise_rules(promise: Promise, prefix: str, document: str) -> list[dict[str, Any]]:
    """The rules (as pack data) that check one promise, each citing it."""
    source = _source(promise, document)
    base: Mapping[str, Any] = {"severity": "error", "phases": ["reject"], "source": source}
    if promise.kind == "only-technical-after-refusal":
        allowed: list[Any] = [{"category": ["necessary", "functional", "consent"]}]
        if promise.audience_allowed:
            allowed.append({"exempt_possible": True, "party": "first"})
        return [
            {
                "id": f"{prefix}-only-technical-after-refusal",
                "title": "After refusal, only technical cookies"
                + (" (or exempt audience measurement)" if promise.audience_allowed else ""),
                **base,
                "subject": "cookie",
                "when": {"classified": True, "not": {"or": allowed}},
                "message": "Cookie {name} on {domain} ({entity}, {category}) is set {phase_label}, though the site"
                " promises only technical cookies",
            },
            {
                "id": f"{prefix}-only-technical-requests-after-refusal",
                "title": "After refusal, no request to an advertising, social or non-exempt tracker",
                **base,
                "subject": "request",
                "when": {"tracker": True, "not": {"exempt_possible": True}}
                if promise.audience_allowed
                else {"tracker": True},
                "group_by": ["entity", "host"],
                "message": "{count} request(s) to tracker {host} ({entity}) {phase_label}, though the site promises"
                " only technical cookies",
            },
        ]
    if promise.kind == "no-social-after-refusal":
        return [
            {
                "id": f"{prefix}-no-social-cookie-after-refusal",
                "title": "After refusal, no social-network cookie",
                **base,
                "subject": "cookie",
                "when": {"category": "social"},
                "message": "Social-network cookie {name} ({entity}) on {domain} is set {phase_label}",
            },
            {
                "id": f"{prefix}-no-social-request-after-refusal",
                "title": "After refusal, no request to a social-network tracker",
                **base,
                "subject": "request",
                "when": {"category": "social"},
                "group_by": ["entity", "host"],
                "message": "{count} request(s) to social-network tracker {host} ({entity}) {phase_label}",
            },
        ]
    if promise.kind == "no-ads-after-refusal":
        return [
            {
                "id": f"{prefix}-no-ads-after-refusal",
                "title": "After refusal, no advertising cookie",
                **base,
                "subject": "cookie",
                "when": {"category": "advertising"},
                "message": "Advertising cookie {name} ({entity}) on {domain} is set {phase_label}",
            }
        ]
    return [
        {
            "id": f"{prefix}-audience-measurement-only",
            "title": "Before a choice and after refusal, at most technical cookies and exempt audience measurement",
            **base,
            "phases": ["before", "reject"],
            "subject": "cookie",
            "when": {
                "classified": True,
                "not": {
                    "or": [
                        {"category": ["necessary", "functional", "consent"]},
                        {"exempt_possible": True, "party": "first"},
                    ]
                },
            },
            "message": "Cookie {name} on {domain} ({entity}, {category}) is set {phase_label}, though the site says it"
            " only measures audience",
        }
    ]
