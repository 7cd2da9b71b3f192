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
from functools import lru_cache
from urllib.parse import unquote

from auditor.knowledge.shape import MIN_NUMBER, placeholder, placeholder_identifier, value_shape
from auditor.model import (
    Banner,
    BannerControl,
    ConsentAction,
    Cookie,
    Finding,
    PhaseResult,
    Request,
    RunResult,
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
_LONG_TOKEN = re.compile(rf"[^/?&=;,#]{{{MIN_NUMBER},}}")
"""A URL token long enough to be an identifier (the shortest: a number of ``MIN_NUMBER`` digits)."""
_ID_PARAMETER = re.compile(r"[?&](?:" + "|".join(re.escape(p) for p in sorted(ID_PARAMETERS)) + r")=", re.IGNORECASE)
_URL_IN_TEXT = re.compile(r"https?://[^\s\"'<>]*[^\s\"'<>.,;:!?)\]}]")
"""A URL in free text, without the punctuation that ends a sentence or a parenthesis."""


def value_hash(value: str) -> str:
    """The keyed hash of a value (HMAC-SHA256 with this run's secret key, hex, truncated)."""
    return hmac.new(_KEY, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:HASH_HEX]


def redact_value(value: str) -> str:
    """The placeholder of ``value`` (an empty value and a placeholder stay as they are)."""
    if not value or placeholder_identifier(value) is not None:
        return value
    return placeholder(value_shape(value))


def _tokens_redacted(text: str, hashes: list[str]) -> str:
    """``text`` with each identifier-like URL token replaced; their hashes appended to ``hashes``."""

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if placeholder_identifier(token) is not None:
            return token
        shape = value_shape(token)
        if not shape.identifier:
            return token
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
    redacted, found = _redact_url(url)
    if hashes is not None:
        hashes.extend(found)
    return redacted


@lru_cache(maxsize=16384)
def _redact_url(url: str) -> tuple[str, tuple[str, ...]]:
    """(redacted URL, hashes of what was removed): pure for the process's key, so cached (pages repeat URLs)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    slash = rest.find("/")
    if slash < 0:
        return url, ()
    authority, tail = rest[:slash], rest[slash:]
    if not _LONG_TOKEN.search(tail) and not _ID_PARAMETER.search(tail):
        return url, ()  # no token long enough to be an identifier, no id parameter: the common case
    hashes: list[str] = []
    path, qmark, query = tail.partition("?")
    path = _tokens_redacted(path, hashes)
    if qmark:
        pairs = []
        for pair in query.split("&"):
            name, eq, value = pair.partition("=")
            if eq and value and placeholder_identifier(value) is None:
                if name.lower() in ID_PARAMETERS or value_shape(value).identifier:
                    _tokens_redacted(value, hashes)  # hash what ID syncing would look for
                    value = placeholder(value_shape(value))
                else:
                    value = _tokens_redacted(value, hashes)
            name = _tokens_redacted(name, hashes)
            pairs.append(f"{name}{eq}{value}")
        path += "?" + "&".join(pairs)
    return f"{scheme}{sep}{authority}{path}", tuple(hashes)


def _optional_url(url: str | None) -> str | None:
    return None if url is None else redact_url(url)


def redact_text(text: str) -> str:
    """``text`` (an error, a warning, a message) with every ``http(s)`` URL in it passed through :func:`redact_url`."""
    if "://" not in text:
        return text
    return _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)


def _optional_text(text: str | None) -> str | None:
    return None if text is None else redact_text(text)


def _banner(banner: Banner | None) -> Banner | None:
    if banner is None:
        return None
    controls = tuple(_control(c) for c in banner.controls)
    frame_url = _optional_url(banner.frame_url)
    if frame_url == banner.frame_url and _same(controls, banner.controls):
        return banner
    return replace(banner, frame_url=frame_url, controls=controls)


def _control(control: BannerControl) -> BannerControl:
    frame_url = _optional_url(control.frame_url)
    return control if frame_url == control.frame_url else replace(control, frame_url=frame_url)


def _consent(consent: ConsentAction | None) -> ConsentAction | None:
    """The frame URL and the stored consent values (a random id, a TC string) redacted; what they say is kept."""
    if consent is None:
        return consent
    changes: dict[str, object] = {}
    if consent.frame_url is not None:
        frame_url = redact_url(consent.frame_url)
        if frame_url != consent.frame_url:
            changes["frame_url"] = frame_url
    evidence = consent.effect_evidence
    if evidence is not None and any(s.value for s in evidence.stored):
        stored = tuple(replace(s, value=redact_value(s.value)) if s.value else s for s in evidence.stored)
        if stored != evidence.stored:
            changes["effect_evidence"] = replace(evidence, stored=stored)
    return replace(consent, **changes) if changes else consent  # type: ignore[arg-type]


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
    error = _optional_text(phase.error)
    warnings = tuple(redact_text(w) for w in phase.warnings)
    banner, consent = _banner(phase.banner), _consent(phase.consent)
    if (
        url == phase.url
        and error == phase.error
        and warnings == phase.warnings
        and banner is phase.banner
        and consent is phase.consent
        and _same(cookies, phase.cookies)
        and _same(requests, phase.requests)
        and _same(headers, phase.set_cookie_headers)
        and _same(tcf, phase.tcf)
    ):
        return phase
    return replace(
        phase,
        url=url,
        error=error,
        warnings=warnings,
        banner=banner,
        consent=consent,
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

    URLs in errors and warnings are redacted too. Findings already evaluated (e.g. on the raw
    evidence of a site whose post-processing failed) lose the same values in their messages,
    evidence and subject URLs.
    """
    found: dict[str, str] = {}
    phases = {name: _phase(phase, found) for name, phase in site.phases.items()}
    final_url = _optional_url(site.final_url)
    error = _optional_text(site.error)
    if final_url == site.final_url and error == site.error and all(phases[n] is p for n, p in site.phases.items()):
        return site  # nothing raw left (already redacted, or nothing to hide); findings were made from it
    quoted = re.compile("|".join(re.escape(raw) for raw in sorted(found, key=len, reverse=True))) if found else None

    def clean(text: str) -> str:
        if quoted is not None:
            text = quoted.sub(lambda m: found[m.group(0)], text)
        return redact_text(text)

    findings = tuple(_finding(f, clean) for f in site.findings)
    return replace(site, final_url=final_url, error=error, phases=phases, findings=findings)


def values_kept(run: RunResult) -> bool:
    """Whether ``run`` was audited with ``--keep-values`` (recorded in its options)."""
    return bool(run.options.get("keep_values", False))


def redact_run(run: RunResult) -> RunResult:
    """``run`` with every site redacted, unless it was audited with ``--keep-values`` (then as it is).

    What the formats render: an older results file with raw values is shown redacted too.
    """
    if values_kept(run):
        return run
    sites = tuple(redact_site(s) for s in run.sites)
    return run if all(a is b for a, b in zip(sites, run.sites, strict=True)) else replace(run, sites=sites)
