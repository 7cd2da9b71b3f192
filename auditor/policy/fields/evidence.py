"""Fields of the evidence subjects: cookies, ``Set-Cookie`` headers, requests and storage keys, and the
classification (who, what for, which layer decided) they share."""

from __future__ import annotations

from typing import Any

from auditor.knowledge.consentmode import SIGNALS, consent_mode_of, last_signal
from auditor.model import (
    Classification,
    Cookie,
    CookieAfterWithdrawal,
    Request,
    SetCookieHeader,
    StorageItem,
    ValueShape,
)
from auditor.party import host_of, registrable_domain
from auditor.policy.fields.core import Accessor, FieldSpec, Item, MissingEvidence, attribute

# --- classification -----------------------------------------------------------------------------


def classification_of(item: Item) -> Classification | None:
    """The classification of the subject (a cookie, request, storage key or the request behind a header)."""
    obj = item.obj
    if isinstance(obj, (Cookie, Request, StorageItem)):
        return obj.classification
    if isinstance(obj, SetCookieHeader):
        # The cookie's own classification (name and domain); older results only have the response's.
        return obj.classification or item.ctx.classification_for_response(obj.url, obj.host)
    return None


def _category(item: Item) -> str:
    c = classification_of(item)
    return c.category if c is not None else "unknown"


_UNLISTED = ("unknown", "unclassified-identifier")
"""Categories that mean no knowledge-base list knows the item (the behaviour layer may have judged it)."""


def _classification_fields() -> list[FieldSpec]:
    def attr(name: str) -> Accessor:
        def get(item: Item) -> Any:
            c = classification_of(item)
            return getattr(c, name) if c is not None else None

        return get

    def flag(name: str) -> Accessor:
        def get(item: Item) -> bool:
            c = classification_of(item)
            return bool(getattr(c, name)) if c is not None else False

        return get

    return [
        FieldSpec(
            "entity",
            "string",
            "Company behind it per the knowledge base (`Google`); empty when unknown.",
            attr("entity"),
        ),
        FieldSpec(
            "category",
            "string",
            "Knowledge-base category: advertising, analytics, social, consent, functional, necessary, content,"
            " `unclassified-identifier` (no list knows it, but it behaves like a tracking identifier: see"
            " `reasons`) or `unknown` (also when not classified).",
            _category,
        ),
        FieldSpec("vendor", "string", "Product per the knowledge base (`Google Analytics`).", attr("vendor")),
        FieldSpec("purpose", "string", "Short description of what it does, per the knowledge base.", attr("purpose")),
        FieldSpec("tracker", "bool", "The knowledge base says it tracks users (false when unknown).", flag("tracker")),
        FieldSpec(
            "exempt_possible",
            "bool",
            "The tool can qualify for the CNIL audience-measurement exemption when configured for it.",
            flag("exempt_possible"),
        ),
        FieldSpec(
            "classified",
            "bool",
            "A knowledge-base list recognised it (category is neither `unknown` nor `unclassified-identifier`).",
            lambda i: _category(i) not in _UNLISTED,
        ),
        FieldSpec(
            "layer",
            "string",
            "Which layer decided: `site`, `user` (a --knowledge file), `curated` (the built-in base),"
            " `community` (Open Cookie Database, filter lists, CNAME trackers) or `behaviour` (judged by what it"
            " does); empty when unclassified.",
            attr("layer"),
        ),
        FieldSpec(
            "reasons",
            "string",
            "Why the behaviour layer judged it a tracking identifier, joined with `; ` (empty otherwise).",
            lambda i: "; ".join(c.reasons) if (c := classification_of(i)) is not None and c.reasons else None,
        ),
    ]


# --- cookies ------------------------------------------------------------------------------------

_PARTY = ("first", "third")


def _max_age_days(item: Item) -> float | None:
    header: SetCookieHeader = item.obj
    raw = header.attributes.get("max-age")
    if raw is None:
        return None
    try:
        return int(raw.strip()) / 86400.0
    except ValueError:
        return None


COOKIE_FIELDS: list[FieldSpec] = [
    FieldSpec("name", "string", "Cookie name (case-sensitive).", attribute("name")),
    FieldSpec("domain", "domain", "Cookie domain (a leading dot is ignored when matching).", attribute("domain")),
    FieldSpec(
        "registrable_domain",
        "domain",
        "Registrable domain (eTLD+1) of the cookie domain.",
        attribute("registrable_domain"),
    ),
    FieldSpec("path", "string", "Cookie path.", attribute("path")),
    FieldSpec("party", "enum", "`first` or `third` party, by registrable domain.", attribute("party"), _PARTY),
    FieldSpec(
        "set_by",
        "enum",
        "`header` (Set-Cookie) or `script` (document.cookie), `unknown` otherwise.",
        attribute("set_by"),
        ("header", "script", "unknown"),
    ),
    FieldSpec("secure", "bool", "Secure attribute.", attribute("secure")),
    FieldSpec("http_only", "bool", "HttpOnly attribute.", attribute("http_only")),
    FieldSpec("same_site", "string", "SameSite attribute (`Strict`, `Lax`, `None` or empty).", attribute("same_site")),
    FieldSpec("session", "bool", "Session cookie (no expiry).", lambda i: i.obj.expires is None),
    FieldSpec(
        "lifetime_days",
        "number",
        "Days from the observation to the expiry; empty for a session cookie (numeric tests are then false).",
        attribute("lifetime_days"),
    ),
    FieldSpec(
        "consent_mode_storage",
        "enum",
        "For an analytics or advertising cookie: the Consent Mode `analytics_storage` or `ad_storage` state"
        " the last Google tag request of the phase signalled (`granted`, `denied`; empty without signal).",
        lambda i: _consent_storage(i),
        ("granted", "denied"),
    ),
    FieldSpec(
        "after_withdrawal",
        "enum",
        "``withdraw`` phase: the cookie against the jar after acceptance: `renewed` (set again: a new value or a"
        " later expiry), `kept` (unchanged) or `added` (set after the withdrawal); missing in other phases.",
        lambda i: _after_withdrawal(i).change,
        ("renewed", "kept", "added"),
    ),
    FieldSpec(
        "sent_after_withdrawal",
        "bool",
        "``withdraw`` phase: a request after the withdrawal went to a host the cookie's domain covers (the"
        " browser sent it there); missing in other phases.",
        lambda i: _after_withdrawal(i).sent,
    ),
    *_classification_fields(),
]


def _after_withdrawal(item: Item) -> CookieAfterWithdrawal:
    evidence = item.ctx.phase.withdrawal
    if evidence is None or not evidence.confirmed:
        raise MissingEvidence("no confirmed withdrawal was recorded in this phase")
    cookie: Cookie = item.obj
    key = (cookie.name, cookie.domain.lstrip(".").lower())
    for entry in evidence.cookies:
        if (entry.name, entry.domain) == key:
            return entry
    return CookieAfterWithdrawal(cookie.name, key[1], "added")


def _consent_storage(item: Item) -> str | None:
    cls = item.obj.classification
    signal = last_signal(item.ctx.phase) if cls is not None else None
    if signal is None:
        return None
    if cls.category == "analytics":
        return signal.analytics_storage
    if cls.category == "advertising":
        return signal.ad_storage
    return None


SET_COOKIE_FIELDS: list[FieldSpec] = [
    FieldSpec("name", "string", "Name of the cookie the header tried to set.", attribute("name")),
    FieldSpec("domain", "domain", "Domain attribute, or the response host when absent.", attribute("domain")),
    FieldSpec(
        "registrable_domain",
        "domain",
        "Registrable domain (eTLD+1) of the cookie domain.",
        lambda i: registrable_domain(i.obj.domain),
    ),
    FieldSpec("url", "string", "URL of the response that carried the header.", attribute("url")),
    FieldSpec("host", "domain", "Host of that response.", attribute("host")),
    FieldSpec("party", "enum", "`first` or `third` party.", attribute("party"), _PARTY),
    FieldSpec(
        "stored",
        "bool",
        "The browser kept the cookie (false: refused or dropped, e.g. third-party blocking — the attempt is evidence).",
        attribute("stored"),
    ),
    FieldSpec(
        "lifetime_days",
        "number",
        "Lifetime from the Max-Age attribute, in days (empty without Max-Age).",
        _max_age_days,
    ),
    *_classification_fields(),
]


def _consent_fields() -> list[FieldSpec]:
    """Google Consent Mode fields of a request (decoded ``gcs``/``gcd``; see :mod:`auditor.knowledge.consentmode`)."""

    def state(signal: str) -> Accessor:
        def get(item: Item) -> Any:
            found = consent_mode_of(item.obj)
            return getattr(found, signal) if found is not None and not found.malformed else None

        return get

    def granted(item: Item) -> bool:
        found = consent_mode_of(item.obj)
        return found is not None and not found.malformed and any(getattr(found, s) == "granted" for s in SIGNALS)

    def cookieless(item: Item) -> bool:
        found = consent_mode_of(item.obj)
        return (
            found is not None
            and not found.malformed
            and found.ad_storage != "granted"
            and found.analytics_storage != "granted"
            and "denied" in (found.ad_storage, found.analytics_storage)
        )

    return [
        FieldSpec(
            "consent_mode",
            "bool",
            "A Google tag request carrying a Google Consent Mode signal (`gcs` or `gcd`).",
            lambda i: consent_mode_of(i.obj) is not None,
        ),
        *(
            FieldSpec(
                f"consent_mode_{s}",
                "enum",
                f"Consent Mode `{s}` the request signals (`granted` or `denied`; empty when not set).",
                state(s),
                ("granted", "denied"),
            )
            for s in SIGNALS
        ),
        FieldSpec(
            "consent_mode_granted",
            "bool",
            "The request signals consent granted for at least one Consent Mode signal.",
            granted,
        ),
        FieldSpec(
            "consent_mode_cookieless",
            "bool",
            "A Consent Mode ping with storage denied (`ad_storage` and `analytics_storage` not granted): a"
            " 'cookieless' hit.",
            cookieless,
        ),
    ]


REQUEST_FIELDS: list[FieldSpec] = [
    FieldSpec("url", "string", "Request URL.", attribute("url")),
    FieldSpec("host", "domain", "Request host.", attribute("host")),
    FieldSpec(
        "registrable_domain", "domain", "Registrable domain (eTLD+1) of the host.", attribute("registrable_domain")
    ),
    FieldSpec(
        "resource_type",
        "string",
        "Browser resource type: document, script, image, xhr, fetch, ping, ...",
        attribute("resource_type"),
    ),
    FieldSpec("method", "string", "HTTP method.", attribute("method")),
    FieldSpec("party", "enum", "`first` or `third` party.", attribute("party"), _PARTY),
    FieldSpec("initiator", "string", "URL of the frame that issued the request, when known.", attribute("initiator")),
    FieldSpec("status", "number", "HTTP status of the response (empty when none).", attribute("status")),
    FieldSpec(
        "failed",
        "bool",
        "The request failed at network level (blocked, DNS, ...).",
        lambda i: i.obj.failure is not None,
    ),
    *_consent_fields(),
    *_classification_fields(),
]

STORAGE_FIELDS: list[FieldSpec] = [
    FieldSpec("origin", "string", "Origin owning the storage (`https://www.example.fr`).", attribute("origin")),
    FieldSpec("host", "domain", "Host of that origin.", lambda i: host_of(i.obj.origin)),
    FieldSpec("kind", "enum", "`local` or `session` storage.", attribute("kind"), ("local", "session")),
    FieldSpec("key", "string", "Storage key.", attribute("key")),
    FieldSpec("size", "number", "Length of the stored value, in characters.", attribute("size")),
    FieldSpec("party", "enum", "`first` or `third` party.", attribute("party"), _PARTY),
    FieldSpec(
        "identifier_like",
        "bool",
        "The value looks like an identifier (long random token, UUID, long number), judged at collection"
        " time; the value itself is never kept.",
        lambda i: _shape(i).identifier,
    ),
    FieldSpec(
        "entropy",
        "number",
        "Entropy estimate of the value's most identifier-like token, in bits per character.",
        lambda i: _shape(i).entropy,
    ),
    *_classification_fields(),
]


def _shape(item: Item) -> ValueShape:
    shape: ValueShape | None = item.obj.shape
    if shape is None:
        raise MissingEvidence("the shape of the stored value was not recorded (results older than value shapes)")
    return shape
