"""Why something gets its class: which layer decided, which entry or filter, which list and its date.

:func:`explain` answers ``consent-audit knowledge lookup NAME|URL``. It asks the layers in their
order of precedence (user files and the curated base, then the community data) and also reports
what a weaker layer would have said, so a user sees when an entry of ours shadows a list's.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from auditor.knowledge.base import KnowledgeBase
from auditor.knowledge.consentmode import SIGNALS, decode_url, is_google_tag_host
from auditor.model import Classification, DataInfo

BEHAVIOUR_NOTE = (
    "no list knows it: in an audit the behaviour layer judges it by what it does (identifier-like value,"
    " lifetime, SameSite, ID syncing, beacon answers), which a name or URL alone cannot show"
)


@dataclass(frozen=True)
class Explanation:
    """The classification of one kind of subject (request, cookie or storage key) and where it comes from."""

    kind: str
    """``request``, ``cookie`` or ``storage``."""
    subject: str
    """The URL, or the name with its domain."""
    classification: Classification | None
    """What the layers say (``None``: no list knows it)."""
    data: DataInfo | None = None
    """The community data set that decided (name, date, SHA-256), when one did."""
    notes: tuple[str, ...] = ()
    """What else applies: a weaker layer's match, a filter-list exception, the behaviour layer."""


def _data_named(kb: KnowledgeBase, name: str | None) -> DataInfo | None:
    if name is None:
        return None
    return next((d for d in kb.community.provenance() if d.name == name), None)


def _list_of(cls: Classification) -> str | None:
    """The data set a community classification names in ``matched`` (``easyprivacy filter ...``)."""
    if cls.matched is None:
        return None
    if " filter " in cls.matched:
        return cls.matched.split(" filter ", 1)[0]
    return "open-cookie-database" if "open-cookie-database" in cls.matched else None


def explain_request(
    kb: KnowledgeBase, url: str, page_url: str | None = None, resource_type: str = "script"
) -> Explanation:
    """Explain the classification of a request to ``url`` made by ``page_url`` (default: a page on another site)."""
    host = urlsplit(url).hostname or ""
    page = page_url or "https://first-party.invalid/"
    known = kb.classify_url(url, host)
    verdict = kb.community.match_request(url, page, resource_type)
    notes: list[str] = []
    signal = decode_url(url) if is_google_tag_host(host) else None
    if signal is not None:
        states = ", ".join(f"{s}={getattr(signal, s) or 'not set'}" for s in SIGNALS)
        notes.append(f"Google Consent Mode signal: {states}" + (" (malformed gcs/gcd)" if signal.malformed else ""))
    if verdict is not None and verdict.exception is not None:
        notes.append(f"{verdict.list_name or 'a filter list'} allows it by the exception {verdict.exception}")
    community = kb.community.classify_request(url, page, resource_type)
    if known is not None:
        if community is not None:
            notes.append(f"also blocked by {community.matched} (community layer, weaker)")
        return Explanation("request", url, known, notes=tuple(notes))
    if community is not None:
        return Explanation("request", url, community, _data_named(kb, _list_of(community)), tuple(notes))
    if not kb.community.lists:
        notes.append("no filter list in the data cache (run 'consent-audit data update')")
    notes.append(BEHAVIOUR_NOTE)
    return Explanation("request", url, None, notes=tuple(notes))


def explain_name(kb: KnowledgeBase, kind: str, name: str, domain: str = "") -> Explanation:
    """Explain the classification of a cookie (``kind="cookie"``) or storage key (``"storage"``) on ``domain``."""
    known = kb.classify_cookie(name, domain) if kind == "cookie" else kb.classify_storage(name, domain)
    community = kb.community.classify_name(name, domain)
    subject = f"{name} on {domain}" if domain else name
    notes: list[str] = []
    if known is not None:
        if community is not None:
            notes.append(f"also in {community.matched} as {community.category} (community layer, weaker)")
        return Explanation(kind, subject, known, notes=tuple(notes))
    if community is not None:
        if not community.tracker:
            notes.append(
                f"listed as {community.category}, not as a tracker: in an audit the behaviour layer still judges"
                " an identifier-like value (the list's category does not make it strictly necessary)"
            )
        return Explanation(kind, subject, community, _data_named(kb, _list_of(community)), tuple(notes))
    notes.append(BEHAVIOUR_NOTE)
    return Explanation(kind, subject, None, notes=tuple(notes))


def explain(
    kb: KnowledgeBase,
    target: str,
    *,
    domain: str = "",
    page_url: str | None = None,
    resource_type: str = "script",
) -> tuple[Explanation, ...]:
    """Explain ``target``: a URL (``scheme://``) as a request, anything else as a cookie name and a storage key."""
    if "://" in target:
        return (explain_request(kb, target, page_url, resource_type),)
    return (explain_name(kb, "cookie", target, domain), explain_name(kb, "storage", target, domain))
