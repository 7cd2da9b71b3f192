"""Fill in the ``classification`` of every cookie and request of a site's result."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from auditor.knowledge.base import UNKNOWN, KnowledgeBase
from auditor.model import Classification, Cookie, PhaseResult, Request, SetCookieHeader, SiteResult

_T = TypeVar("_T", Cookie, Request, SetCookieHeader)
_FAST_COPY: dict[type, bool] = {}


def _with_classification(item: _T, found: Classification | None) -> _T:
    """``dataclasses.replace(item, classification=found)``, without re-running ``__init__``.

    ``replace`` dominated the cost of classifying a site (it rebuilds every field through
    ``__init__``); these evidence classes have no ``__post_init__``, so copying the instance dict
    gives the same frozen copy several times faster. Falls back to ``replace`` otherwise.
    """
    if found is item.classification:
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


_C = TypeVar("_C", Cookie, SetCookieHeader)


def _cookie(kb: KnowledgeBase, cookie: _C) -> _C:
    found: Classification | None = kb.classify_cookie(cookie.name, cookie.domain)
    if found is None and cookie.party == "third":
        found = UNKNOWN
    return _with_classification(cookie, found)


def _request(kb: KnowledgeBase, request: Request) -> Request:
    found: Classification | None = kb.classify_url(request.url, request.host)
    if found is None and request.party == "third":
        found = UNKNOWN
    return _with_classification(request, found)


def classify_phase(phase: PhaseResult, kb: KnowledgeBase | None = None) -> PhaseResult:
    """Return a copy of ``phase`` with ``classification`` set on every cookie, Set-Cookie header and request.

    Unknown third parties get :data:`~auditor.knowledge.base.UNKNOWN` (category ``unknown``) so they
    are reported, never dropped; unknown first-party items keep ``None``.
    """
    kb = kb or KnowledgeBase.builtin()
    cookies = tuple(_cookie(kb, c) for c in phase.cookies)
    headers = tuple(_cookie(kb, h) for h in phase.set_cookie_headers)
    requests = tuple(_request(kb, r) for r in phase.requests)
    if (
        all(a is b for a, b in zip(cookies, phase.cookies, strict=True))
        and all(a is b for a, b in zip(headers, phase.set_cookie_headers, strict=True))
        and all(a is b for a, b in zip(requests, phase.requests, strict=True))
    ):
        return phase
    return replace(phase, cookies=cookies, set_cookie_headers=headers, requests=requests)


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
