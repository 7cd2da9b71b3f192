"""The behaviour layer: what no list knows is judged by what it does, not presumed innocent.

Applied only to cookies, requests and storage keys that no knowledge-base layer classifies. An
item that behaves like a tracking identifier gets category ``unclassified-identifier`` with its
reasons as evidence:

* a cookie with an identifier-like value (:func:`~auditor.knowledge.shape.value_shape`) that is
  third party and persistent or ``SameSite=None``, or first party and kept 30 days or more, or
  whose value is sent to another site (ID syncing). First-party cookies with technical names
  (session, CSRF, load balancer, consent choice, language) are never judged so;
* a third-party request carrying the identifier-like value of any cookie of another site, known
  or not (ID syncing), or answered like a beacon (a
  204, or an image of at most 200 bytes) while its query carries an identifier-like value;
* a storage key whose value is identifier-like, in localStorage, or in a third party's frame.

Values are usually redacted before classification (:mod:`auditor.redact`): a cookie is then judged
by its recorded :attr:`~auditor.model.Cookie.shape`, ID syncing by keyed hashes
(:attr:`~auditor.model.Cookie.value_hash` against :attr:`~auditor.model.Request.token_hashes`) and a
beacon's query by its placeholders, so a raw and a redacted result are judged alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

from auditor.knowledge.entries import UNCLASSIFIED_IDENTIFIER
from auditor.knowledge.shape import looks_like_identifier, url_tokens, value_shape
from auditor.model import Classification, Cookie, Request, StorageItem, ValueShape

FIRST_PARTY_MIN_DAYS = 30.0
"""A first-party identifier cookie is judged a tracker from this lifetime on (shorter: a visit, a session)."""
PERSISTENT_MIN_DAYS = 1.0
"""A cookie living longer than this is persistent (beyond a browsing session)."""
BEACON_MAX_BYTES = 200
"""An image answer of at most this many bytes is a pixel (a 1x1 GIF is 43 bytes)."""

TECHNICAL_NAME = re.compile(
    r"(?i)(sess|sid$|^sid|csrf|xsrf|token|auth|login|^lb|alb|awselb|affinity|route|balanc|sticky|server"
    r"|consent|cookie.?(law|notice|policy|banner|accept)|gdpr|^cmp|privacy|lang|locale|currency|country"
    r"|theme|^tz$|timezone|captcha|cart|basket)"
)
"""Names of technical cookies and keys (sessions, CSRF, load balancers, consent choices, preferences)."""


def cookie_shape(cookie: Cookie) -> ValueShape:
    """The shape of a cookie's value: the one recorded when it was redacted, else computed from the value."""
    return cookie.shape if cookie.shape is not None else value_shape(cookie.value)


def _reason_value(shape: ValueShape) -> str:
    detail = "; ".join(shape.reasons)
    if "chars" not in detail:
        detail += f", {shape.length} chars"
    return f"identifier-like value ({detail})"


def _judged(what: str, reasons: Iterable[str]) -> Classification:
    reasons = tuple(reasons)
    return Classification(
        entity=None,
        category=UNCLASSIFIED_IDENTIFIER,
        tracker=False,
        purpose=f"{what} unknown to the knowledge base that behaves like a tracking identifier: {'; '.join(reasons)}.",
        layer="behaviour",
        reasons=reasons,
    )


@dataclass(frozen=True)
class SyncIndex:
    """Identifier-like values of a phase's cookies (known or not), to spot them in other sites' request URLs.

    An unknown host receiving a known tracker's identifier (Criteo's ``uid``) is ID syncing too. Raw
    values are matched against the URL's tokens, redacted ones by their keyed hashes.
    """

    owners: Mapping[str, tuple[str, str]]
    """value → (cookie name, registrable domain of the cookie), for raw values."""
    hashed: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """value hash → (cookie name, registrable domain of the cookie), for redacted values."""

    @classmethod
    def of(cls, cookies: Iterable[Cookie]) -> SyncIndex:
        """Index the identifier-like values of ``cookies``."""
        owners: dict[str, tuple[str, str]] = {}
        hashed: dict[str, tuple[str, str]] = {}
        for c in cookies:
            if c.value_hash is not None:
                hashed[c.value_hash] = (c.name, c.registrable_domain)
            elif c.shape is None and value_shape(c.value).identifier:
                owners[c.value] = (c.name, c.registrable_domain)
        return cls(owners, hashed)

    def carried_by(self, request: Request) -> tuple[str, str] | None:
        """(cookie name, cookie site) whose value ``request`` carries to another site, if any."""
        if self.hashed:
            for digest in request.token_hashes:
                owner = self.hashed.get(digest)
                if owner is not None and owner[1] != request.registrable_domain:
                    return owner
        if not self.owners:
            return None
        for token in url_tokens(request.url):
            owner = self.owners.get(token) or (self.owners.get(unquote(token)) if "%" in token else None)
            if owner is not None and owner[1] != request.registrable_domain:
                return owner
        return None


def judge_cookie(cookie: Cookie, synced_to: Iterable[str] = ()) -> Classification | None:
    """Classify an unknown cookie by its behaviour; ``None`` when it does not look like a tracker identifier.

    ``synced_to`` lists the hosts of other sites whose request URLs carried the cookie's value.
    """
    shape = cookie_shape(cookie)
    if not shape.identifier:
        return None
    hosts = sorted(set(synced_to))
    days = cookie.lifetime_days
    persistent = days is not None and days > PERSISTENT_MIN_DAYS
    technical = TECHNICAL_NAME.search(cookie.name) is not None
    reasons = [f"{cookie.party}-party cookie", _reason_value(shape)]
    if persistent:
        reasons.append(f"persistent ({days:.0f} days)")
    if cookie.same_site == "None":
        reasons.append("SameSite=None (sent in cross-site requests)")
    if hosts:
        reasons.append(f"value sent to {', '.join(hosts)} (ID syncing)")
    if cookie.party == "third":
        if hosts or persistent or (cookie.same_site == "None" and not technical):
            return _judged("Cookie", reasons)
        return None
    if technical:
        return None
    if hosts or (days is not None and days >= FIRST_PARTY_MIN_DAYS):
        return _judged("Cookie", reasons)
    return None


def _query_identifier(url: str) -> str | None:
    """The name of a query parameter whose value looks like an identifier, if any."""
    _, sep, query = url.partition("?")
    if not sep:
        return None
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if value and looks_like_identifier(value):
            return name or "(unnamed)"
    return None


def judge_request(request: Request, synced: tuple[str, str] | None = None) -> Classification | None:
    """Classify an unknown third-party request by its behaviour; ``None`` when it looks harmless.

    ``synced`` is the (cookie name, cookie site) whose value the request carries (see :class:`SyncIndex`).
    """
    reasons = []
    if synced is not None:
        reasons.append(f"carries the value of cookie {synced[0]} of {synced[1]} (ID syncing)")
    beacon = request.status == 204 or (
        request.content_type is not None
        and request.content_type.startswith("image/")
        and request.body_size is not None
        and request.body_size <= BEACON_MAX_BYTES
    )
    param = _query_identifier(request.url) if beacon or synced is not None else None
    if beacon and param is not None:
        answer = "204 No Content" if request.status == 204 else f"{request.body_size}-byte image"
        reasons.append(f"beacon ({answer}) whose query parameter {param!r} carries an identifier-like value")
    if not reasons:
        return None
    return _judged("Request", reasons)


def judge_storage(item: StorageItem) -> Classification | None:
    """Classify an unknown storage key by the shape of its value; ``None`` when it looks harmless."""
    shape = item.shape
    if shape is None or not shape.identifier:
        return None
    if TECHNICAL_NAME.search(item.key) is not None:
        return None
    if item.kind == "session" and item.party == "first":
        return None
    where = "localStorage" if item.kind == "local" else "sessionStorage"
    return _judged("Storage key", [f"{item.party}-party {where}", _reason_value(shape)])
