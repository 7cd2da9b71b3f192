"""Fill in the ``classification`` of every cookie, request and storage key of a site's result.

The knowledge base decides first (:class:`~auditor.knowledge.base.KnowledgeBase`: user files, then
the curated base); then the community layer (:mod:`auditor.knowledge.community`: the Open Cookie
Database for names, filter lists for requests); what none knows goes to the behaviour layer
(:mod:`auditor.knowledge.behaviour`), and what still looks harmless stays ``unknown`` (third
party) or ``None`` (first party). A community entry that is *not* a tracker (the database's
"Functional") does not silence the behaviour layer: an identifier it judges so is still reported.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import TypeVar

from auditor.knowledge.base import KnowledgeBase
from auditor.knowledge.behaviour import SyncIndex, judge_cookie, judge_request, judge_storage
from auditor.knowledge.entries import UNKNOWN
from auditor.model import Classification, Cookie, PhaseResult, Request, SetCookieHeader, SiteResult, StorageItem
from auditor.party import host_of

_T = TypeVar("_T", Cookie, Request, SetCookieHeader, StorageItem)
_FAST_COPY: dict[type, bool] = {}


def _with_classification(item: _T, found: Classification | None) -> _T:
    """``dataclasses.replace(item, classification=found)``, without re-running ``__init__``.

    ``replace`` dominated the cost of classifying a site (it rebuilds every field through
    ``__init__``); these evidence classes have no ``__post_init__``, so copying the instance dict
    gives the same frozen copy several times faster. Falls back to ``replace`` otherwise.
    """
    old = item.classification
    if found is old or (found is not None and old is not None and found == old):
        return item
    kind = type(item)
    fast = _FAST_COPY.get(kind)
    if fast is None:
        fast = _FAST_COPY[kind] = not hasattr(kind, "__post_init__") and hasattr(item, "__dict__")
    if not fast:
        return replace(item, classification=found)
    copy = object.__new__(kind)
    copy.__dict__.update(item.__dict__)
    object.__setattr__(copy, "classification", found)
    return copy


def _header(kb: KnowledgeBase, header: SetCookieHeader) -> SetCookieHeader:
    found: Classification | None = kb.classify_cookie(header.name, header.domain)
    if found is None:
        found = kb.community.classify_name(header.name, header.domain)
    if found is None and header.party == "third":
        found = UNKNOWN
    return _with_classification(header, found)


def _cookies_and_requests(kb: KnowledgeBase, phase: PhaseResult) -> tuple[tuple[Cookie, ...], tuple[Request, ...]]:
    """Knowledge base first; unknown cookies and third-party requests then go to the behaviour layer."""
    community = kb.community
    classify_cookie, classify_url = kb.classify_cookie, kb.classify_url
    known_c = [
        classify_cookie(c.name, c.domain)
        or community.classify_name(c.name, c.domain)
        or (community.classify_cookie_domain(c.domain) if c.party == "third" else None)
        for c in phase.cookies
    ]
    sync: SyncIndex | None = None  # built on the first unknown third-party request only
    synced_to: dict[str, set[str]] = {}
    requests: list[Request] = []
    for request in phase.requests:
        found = (
            classify_url(request.url, request.host)
            or community.classify_cname(request.host, request.cname, kb.classify_host)
            or community.classify_request(
                request.url, request.initiator or phase.url or request.url, request.resource_type
            )
        )
        if found is None and request.party == "third":
            if sync is None:
                sync = SyncIndex.of(phase.cookies)
            carried = sync.carried_by(request)
            if carried is not None:
                synced_to.setdefault(carried[0], set()).add(request.host)
            found = judge_request(request, carried) or UNKNOWN
        requests.append(_with_classification(request, found))
    cookies: list[Cookie] = []
    for cookie, found in zip(phase.cookies, known_c, strict=True):
        if found is None:
            found = judge_cookie(cookie, synced_to.get(cookie.name, ()))
            if found is None and cookie.party == "third":
                found = UNKNOWN
        elif _weak(found):
            found = _judged_over(judge_cookie(cookie, synced_to.get(cookie.name, ())), found)
        cookies.append(_with_classification(cookie, found))
    return tuple(cookies), tuple(requests)


_origin_host = lru_cache(maxsize=8192)(host_of)


def _storage(kb: KnowledgeBase, item: StorageItem) -> StorageItem:
    host = _origin_host(item.origin)
    found = kb.classify_storage(item.key, host)
    if found is None:
        found = kb.community.classify_name(item.key, host)
        if found is not None and _weak(found):
            return _with_classification(item, _judged_over(judge_storage(item), found))
    if found is None:
        found = judge_storage(item)
        if found is None and item.party == "third":
            found = UNKNOWN
    return _with_classification(item, found)


def _weak(found: Classification) -> bool:
    """A community entry that is no tracker: the behaviour layer may still judge the item."""
    return found.layer == "community" and not found.tracker


def _judged_over(judged: Classification | None, listed: Classification) -> Classification:
    """The behaviour layer's judgement, noting the community entry it overrides; else the entry."""
    if judged is None:
        return listed
    note = f"{listed.matched}: listed as {listed.category}, which does not make it strictly necessary"
    return replace(judged, reasons=(*judged.reasons, note))


def classify_phase(phase: PhaseResult, kb: KnowledgeBase | None = None) -> PhaseResult:
    """Return a copy of ``phase`` with ``classification`` on every cookie, Set-Cookie header, request, storage key.

    The knowledge base decides what it knows; the behaviour layer judges the rest (category
    ``unclassified-identifier`` with its reasons). Other unknown third parties get
    :data:`~auditor.knowledge.entries.UNKNOWN` (category ``unknown``) so they are reported, never
    dropped; other unknown first-party items keep ``None``.
    """
    kb = kb or KnowledgeBase.builtin()
    cookies, requests = _cookies_and_requests(kb, phase)
    headers = tuple(_header(kb, h) for h in phase.set_cookie_headers)
    storage = tuple(_storage(kb, s) for s in phase.storage)
    if (
        all(a is b for a, b in zip(cookies, phase.cookies, strict=True))
        and all(a is b for a, b in zip(headers, phase.set_cookie_headers, strict=True))
        and all(a is b for a, b in zip(requests, phase.requests, strict=True))
        and all(a is b for a, b in zip(storage, phase.storage, strict=True))
    ):
        return phase
    return replace(phase, cookies=cookies, set_cookie_headers=headers, requests=requests, storage=storage)


def classify_site(site: SiteResult, kb: KnowledgeBase | None = None) -> SiteResult:
    """Return a copy of ``site`` with ``classification`` filled on every cookie and request of every phase.

    ``kb`` defaults to :meth:`KnowledgeBase.builtin` (loaded once per process). Lookups are cached,
    so classifying thousands of sites costs little more than copying their evidence.
    """
    kb = kb or KnowledgeBase.builtin()
    phases = {name: classify_phase(phase, kb) for name, phase in site.phases.items()}
    if all(phases[name] is phase for name, phase in site.phases.items()):
        return site
    return replace(site, phases=phases)
