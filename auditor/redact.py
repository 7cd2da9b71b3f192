"""Redaction of the evidence: cookie values, identifiers in URLs and TC strings never leave the audit raw.

One function, :func:`redact_site`, over a :class:`~auditor.model.SiteResult`: applied in the
post-collection step before classification (so the live run and a later ``check`` judge exactly the
same evidence), and again — a no-op on a redacted site — before the journal and before a Dask
worker sends its result. ``--keep-values`` turns it off.

What analysis needs is computed before the value goes:

* a cookie keeps its :attr:`~auditor.model.Cookie.shape` (length, character classes, entropy,
  identifier flag) and, when identifier-like, a keyed hash (:attr:`~auditor.model.Cookie.value_hash`);
* a URL (request, ``Set-Cookie`` response, frame, page) loses every identifier-like token of its path,
  query and fragment, and every value of a known identifier parameter (GA ``cid``/``_gid``, Meta
  ``fbp``/``fbc``, ``uid``, ``gclid``, ...); a request keeps the keyed hashes of those tokens
  (:attr:`~auditor.model.Request.token_hashes`), so ID syncing (a cookie's value in another site's
  request) is still seen;
* a TC string is replaced (its decoded fields stay).

The hash is HMAC-SHA256 with a key drawn once per process (a run; each Dask worker its own) and never
written: hashes are comparable within one site's result — where ID syncing is judged — and useless
for guessing values. Placeholders read ``<redacted: 26 chars, identifier>``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import replace
from urllib.parse import unquote

from auditor.knowledge.shape import placeholder, placeholder_identifier, value_shape
from auditor.model import (
    Cookie,
    Finding,
    PhaseResult,
    Request,
    SetCookieHeader,
    SiteResult,
    Subject,
    TcfState,
    map_strings,
)

ID_PARAMETERS = frozenset(
    {
        "cid",
        "_gid",
        "gid",
        "_ga",
        "fbp",
        "_fbp",
        "fbc",
        "_fbc",
        "fbclid",
        "uid",
        "_uid",
        "user_id",
        "userid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "ttclid",
        "twclid",
        "li_fat_id",
        "vid",
        "visitor_id",
        "device_id",
        "anonymous_id",
        "ajs_anonymous_id",
        "puid",
        "guid",
    }
)
"""Query parameters whose value is redacted whatever it looks like (identifiers of known tags, click ids)."""

HASH_HEX = 32
"""Hex digits kept of a value's HMAC (128 bits: no collision within a site)."""

_KEY = secrets.token_bytes(32)
"""The per-process key of :func:`value_hash`: drawn at import, never written anywhere."""
_TOKEN = re.compile(r"[^/?&=;,#]+")


def value_hash(value: str) -> str:
    """The keyed hash of a value (HMAC-SHA256 with this run's secret key, hex, truncated)."""
    return hmac.new(_KEY, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:HASH_HEX]


def redact_value(value: str) -> str:
    """The placeholder of ``value`` (an empty value and a placeholder stay as they are)."""
    if not value or placeholder_identifier(value) is not None:
        return value
    return placeholder(value_shape(value))


def _tokens_redacted(text: str, hashes: list[str] | None) -> str:
    """``text`` with each identifier-like URL token replaced; their hashes appended to ``hashes``."""

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if placeholder_identifier(token) is not None:
            return token
        shape = value_shape(token)
        if not shape.identifier:
            return token
        if hashes is not None:
            hashes.append(value_hash(token))
            if "%" in token:
                hashes.append(value_hash(unquote(token)))
        return placeholder(shape)

    return _TOKEN.sub(swap, text)


def redact_url(url: str, hashes: list[str] | None = None) -> str:
    """``url`` without identifiers: identifier-like tokens of path, query and fragment, values of :data:`ID_PARAMETERS`.

    Scheme, host and the rest of the URL are kept, so hosts, parties and path prefixes classify as before.
    When ``hashes`` is given, the keyed hashes of the identifier-like tokens are appended to it.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    slash = rest.find("/")
    if slash < 0:
        return url
    authority, tail = rest[:slash], rest[slash:]
    path, qmark, query = tail.partition("?")
    path = _tokens_redacted(path, hashes)
    if qmark:
        pairs = []
        for pair in query.split("&"):
            name, eq, value = pair.partition("=")
            if eq and value and placeholder_identifier(value) is None:
                if name.lower() in ID_PARAMETERS or value_shape(value).identifier:
                    if hashes is not None:
                        _tokens_redacted(value, hashes)  # hash what ID syncing would look for
                    value = placeholder(value_shape(value))
                else:
                    value = _tokens_redacted(value, hashes)
            name = _tokens_redacted(name, hashes)
            pairs.append(f"{name}{eq}{value}")
        path += "?" + "&".join(pairs)
    return f"{scheme}{sep}{authority}{path}"


def _optional_url(url: str | None) -> str | None:
    return None if url is None else redact_url(url)


def _cookie(cookie: Cookie) -> Cookie:
    if cookie.shape is not None:  # already redacted
        return cookie
    shape = value_shape(cookie.value)
    return replace(
        cookie,
        value=placeholder(shape) if cookie.value else "",
        shape=shape,
        value_hash=value_hash(cookie.value) if shape.identifier else None,
    )


def _request(request: Request) -> Request:
    if request.token_hashes:  # already redacted
        return request
    hashes: list[str] = []
    url = redact_url(request.url, hashes)
    initiator = _optional_url(request.initiator)
    if url == request.url and initiator == request.initiator:
        return request
    return replace(request, url=url, initiator=initiator, token_hashes=tuple(dict.fromkeys(hashes)))


def _header(header: SetCookieHeader) -> SetCookieHeader:
    url = redact_url(header.url)
    return header if url == header.url else replace(header, url=url)


def _tcf(state: TcfState) -> TcfState:
    if state.tc_string is None:
        return state
    redacted = redact_value(state.tc_string)
    return state if redacted == state.tc_string else replace(state, tc_string=redacted)


def _phase(phase: PhaseResult, secrets_out: dict[str, str]) -> PhaseResult:
    """``phase`` redacted; each raw value worth hiding elsewhere (identifiers, URLs, TC strings) → its replacement."""
    cookies = []
    for c in phase.cookies:
        redacted = _cookie(c)
        if redacted is not c and redacted.shape is not None and (redacted.shape.identifier or len(c.value) >= 16):
            secrets_out[c.value] = redacted.value
        cookies.append(redacted)
    requests = []
    for r in phase.requests:
        redacted_r = _request(r)
        if redacted_r is not r:
            secrets_out[r.url] = redacted_r.url
        requests.append(redacted_r)
    tcf = []
    for t in phase.tcf:
        redacted_t = _tcf(t)
        if redacted_t is not t and t.tc_string:
            secrets_out[t.tc_string] = redacted_t.tc_string or ""
        tcf.append(redacted_t)
    headers = [_header(h) for h in phase.set_cookie_headers]
    url = _optional_url(phase.url)
    if (
        url == phase.url
        and _same(cookies, phase.cookies)
        and _same(requests, phase.requests)
        and _same(headers, phase.set_cookie_headers)
        and _same(tcf, phase.tcf)
    ):
        return phase
    return replace(
        phase,
        url=url,
        cookies=tuple(cookies),
        requests=tuple(requests),
        set_cookie_headers=tuple(headers),
        tcf=tuple(tcf),
    )


def _same(new: Sequence[object], old: Sequence[object]) -> bool:
    return all(a is b for a, b in zip(new, old, strict=True))


def _finding(finding: Finding, clean: Callable[[str], str]) -> Finding:
    subject = finding.subject
    return replace(
        finding,
        message=clean(finding.message),
        evidence=map_strings(dict(finding.evidence), clean),
        subject=Subject(
            kind=subject.kind,
            name=subject.name,
            domain=subject.domain,
            url=None if subject.url is None else redact_url(clean(subject.url)),
        ),
    )


def is_redacted(site: SiteResult) -> bool:
    """Whether every cookie of ``site`` carries its recorded shape (a site with no cookie counts as redacted)."""
    return all(c.shape is not None for p in site.phases.values() for c in p.cookies)


def redact_site(site: SiteResult) -> SiteResult:
    """``site`` with its values redacted (see the module): idempotent, and cheap on a redacted site.

    Findings already evaluated (e.g. on the raw evidence of a site whose post-processing failed) lose
    the same values in their messages, evidence and subject URLs.
    """
    found: dict[str, str] = {}
    phases = {name: _phase(phase, found) for name, phase in site.phases.items()}
    final_url = _optional_url(site.final_url)
    if final_url == site.final_url and all(phases[n] is p for n, p in site.phases.items()):
        return site  # nothing raw left (already redacted, or nothing to hide); findings were made from it
    findings = site.findings
    if findings and found:
        ordered = sorted(found.items(), key=lambda kv: len(kv[0]), reverse=True)

        def clean(text: str) -> str:
            for raw, redacted in ordered:
                if raw in text:
                    text = text.replace(raw, redacted)
            return text

        findings = tuple(_finding(f, clean) for f in findings)
    elif findings:
        findings = tuple(_finding(f, lambda text: text) for f in findings)
    return replace(
        site,
        final_url=final_url,
        phases=phases,
        findings=findings,
    )
