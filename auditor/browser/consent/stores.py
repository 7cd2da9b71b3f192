"""Consent stores: which cookies and storage keys hold a visitor's choice, and what their value says.

Pure functions (no browser). A key is a consent store when a consent-manager adapter declares it
(:attr:`auditor.browser.cmp.interface.CmpAdapter.consent_keys`) or when its name uses the consent
vocabulary of sites' own banners (``consent``, ``choix_cookies``, ``cookies_ok``, ...). Its value is
read without knowing the CMP's format: URL-decoded, then JSON (or base64 JSON, as Didomi's token),
then ``name=true`` / ``name:0`` pairs (tarteaucitron, OneTrust's ``groups``, Cookiebot's object
literal), then plain words (``rejected``, ``deny``, ``oui``). A key naming the accepted categories
(``cookies_accepted_categories``) holds their list (``technically_required,analytics``).
Bookkeeping entries (dates, ids, versions) and the strictly necessary category are ignored. What
remains says ``reject`` (only refusals), ``accept`` (only grants), ``mixed`` or ``unknown``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page

from auditor.browser.cmp import ADAPTERS
from auditor.browser.tcfread import TCF_COOKIES
from auditor.model import StoredChoice
from auditor.tcf import TCStringError, decode_tc_string

Says = Literal["reject", "accept", "mixed", "unknown"]

GENERIC_KEY = re.compile(
    r"consent|cookies?.?(choice|choix|pref|setting|status|ok|accept|notice|policy|banner|law)|choix.?cookie"
    r"|gdpr|rgpd|privacy.?(choice|pref)|tracking.?(choice|pref|opt)",
    re.IGNORECASE,
)
"""Names of consent stores of sites' own banners (``consent``, ``choix_cookies``, ``cookies_ok``, ``cookielaw``)."""
_ACCEPTED_LIST_KEY = re.compile(
    r"(accept|allow|grant|consent)\w*?.?(categor|purpose|group)|(categor|purpose|group)\w*?.?(accept|allow|grant)",
    re.IGNORECASE,
)
"""Keys naming the list of accepted categories (``cookies_accepted_categories``): their value is that list."""
_NAME_LIST = re.compile(r"[A-Za-z_][\w.-]*(?:\s*[,;|]\s*[A-Za-z_][\w.-]*)*")

_BOOKKEEPING = re.compile(
    r"^\$\$|stamp|date|time|utc|^ver(sion)?$|revision|uuid|^id$|_id$|^user|token|region|method|gpc|iab"
    r"|interaction|landing|hosts|completed|expir|language|lang$|country|data$|_li$|legitimate|count",
    re.IGNORECASE,
)
_NECESSARY = re.compile(r"necess|essential|required|technical|technique|strict|^C0001$|^functional$", re.IGNORECASE)
"""Categories that are never a choice (``C0001`` is OneTrust's strictly necessary group)."""
_LIST_GRANTED = re.compile(r"^(enabled|accepted|granted|allowed|consents?)$", re.IGNORECASE)
_LIST_REFUSED = re.compile(r"^(disabled|rejected|refused|denied|declined)$", re.IGNORECASE)
_CATEGORY_LIST = re.compile(r"categor", re.IGNORECASE)
_PAIR = re.compile(r"([A-Za-z_$][\w$.-]*)\s*[:=]\s*['\"]?(true|false|yes|no|oui|non|1|0)['\"]?(?![\w.])", re.IGNORECASE)
_WORDS_REFUSED = re.compile(
    r"\b(disagreed?|rejected|reject|refused|refuse|refus|denied|deny|declined|decline|optout|opt-out|non|no|false|none)\b",
    re.IGNORECASE,
)
_WORDS_GRANTED = re.compile(
    r"\b(agreed?|accepted|accept|granted|allowed|allow|consented|optin|opt-in|oui|yes|true|all)\b", re.IGNORECASE
)
_TRUE = {"true", "yes", "oui", "1"}


@dataclass(frozen=True)
class Reading:
    """What a consent store's value says."""

    says: Says
    granted: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()


def _matches(pattern: str, key: str) -> bool:
    return key.startswith(pattern[:-1]) if pattern.endswith("*") else key == pattern


def store_owner(key: str, cmp: str | None = None) -> tuple[bool, str | None]:
    """Whether ``key`` is a consent store, and the adapter that declares it (``None``: generic vocabulary).

    ``cmp`` is the consent manager recognised on the page: a key several adapters share
    (``euconsent-v2``) is attributed to it, else to the generic TCF adapter, else to the first one.
    """
    owners = [a for a in ADAPTERS.values() if any(_matches(p, key) for p in a.consent_keys)]
    if owners:
        for adapter in owners:
            if adapter.id == cmp:
                return True, adapter.id
        generic = [a for a in owners if a.generic]
        return True, (generic or owners)[0].id
    return bool(GENERIC_KEY.search(key)), None


def _decode(value: str) -> Any:
    """The value as JSON when it is JSON (or base64 JSON), else the URL-decoded text."""
    text = value
    for _ in range(2):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    if re.fullmatch(r"[A-Za-z0-9+/_-]{16,}={0,2}", text):
        try:
            raw = base64.b64decode(
                text + "=" * (-len(text) % 4), altchars=b"-_" if "-" in text or "_" in text else None
            )
            return json.loads(raw.decode("utf-8"))
        except (binascii.Error, ValueError, UnicodeDecodeError):
            pass
    return text


def _walk(data: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, (*path, str(key)))
    elif isinstance(data, list) and not any(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in data):
        for index, value in enumerate(data):
            yield from _walk(value, (*path, str(index)))
    else:
        yield path, data


def _name(path: tuple[str, ...]) -> str:
    """The most telling name of a JSON path: its last non-technical, non-index segment."""
    named = [p for p in path if not p.isdigit() and p.lower() not in ("status", "consent", "value", "state")]
    return named[-1] if named else (path[-1] if path else "")


def _skip(path: tuple[str, ...]) -> bool:
    return any(_BOOKKEEPING.search(p) for p in path) or any(_NECESSARY.search(p) for p in path)


def _from_json(data: Any, granted: list[str], refused: list[str]) -> None:
    for path, value in _walk(data):
        if _skip(path):
            continue
        leaf = path[-1] if path else ""
        # A list of purposes under a telling key: {"purposes": {"enabled": [...], "disabled": [...]}}.
        if isinstance(value, list):
            names = [str(v) for v in value if not _NECESSARY.search(str(v))]
            if _LIST_GRANTED.match(leaf):
                granted.extend(names)
            elif _LIST_REFUSED.match(leaf):
                refused.extend(names)
            elif _CATEGORY_LIST.search(leaf):
                # {"categories": ["necessary"]}: only the necessary category accepted is a refusal.
                if names:
                    granted.extend(names)
                else:
                    refused.append(leaf)
            continue
        if isinstance(value, bool):
            (granted if value else refused).append(_name(path))
        elif isinstance(value, str):
            _from_text(value, granted, refused, name=_name(path))


def _from_text(text: str, granted: list[str], refused: list[str], *, name: str = "") -> None:
    pairs = [(m.group(1), m.group(2)) for m in _PAIR.finditer(text)]
    if pairs:
        for key, flag in pairs:
            if _BOOKKEEPING.search(key) or _NECESSARY.search(key):
                continue
            (granted if flag.lower() in _TRUE else refused).append(key)
        return
    if name and (_BOOKKEEPING.search(name) or _NECESSARY.search(name)):
        return
    label = name or text[:40]
    if _WORDS_REFUSED.search(text) and not _WORDS_GRANTED.search(text):
        refused.append(label)
    elif _WORDS_GRANTED.search(text) and not _WORDS_REFUSED.search(text):
        granted.append(label)


def _read_tc_string(value: str) -> Reading:
    try:
        tc = decode_tc_string(value.strip())
    except TCStringError:
        return Reading("unknown")
    purposes = tuple(f"purpose {p}" for p in tc.purpose_consents)
    return Reading("accept", purposes) if purposes else Reading("reject", (), ("every purpose",))


def read_value(value: str, key: str = "") -> Reading:
    """What a consent store's value says (see the module docstring for how it is read).

    A TC string (``euconsent-v2``, by ``key``) is decoded strictly: consent to any purpose is an
    acceptance, none is a refusal, an undecodable string says nothing.
    """
    if key.startswith(TCF_COOKIES):
        return _read_tc_string(value)
    granted: list[str] = []
    refused: list[str] = []
    data = _decode(value)
    if isinstance(data, str) and _ACCEPTED_LIST_KEY.search(key) and (not data or _NAME_LIST.fullmatch(data)):
        # "technically_required,analytics": the categories accepted; only the necessary ones is a refusal.
        names = [n for n in re.split(r"\s*[,;|]\s*", data) if n and not _NECESSARY.search(n)]
        if names:
            granted.extend(names)
        else:
            refused.append(key)
    elif isinstance(data, (dict, list)):
        _from_json(data, granted, refused)
    elif isinstance(data, bool):
        (granted if data else refused).append("value")
    elif isinstance(data, str):
        _from_text(data, granted, refused)
    g, r = tuple(dict.fromkeys(granted)), tuple(dict.fromkeys(refused))
    says: Says = "mixed" if g and r else "accept" if g else "reject" if r else "unknown"
    return Reading(says, g, r)


# --- reading the stores of a page -------------------------------------------------------------------

STORES_JS = """() => {
  const out = {origin: location.origin, local: [], session: []};
  for (const [kind, name] of [['local', 'localStorage'], ['session', 'sessionStorage']]) {
    try {
      const s = window[name];
      for (let i = 0; i < s.length && i < 500; i++) {
        const k = s.key(i);
        out[kind].push([k, (s.getItem(k) || '').slice(0, 4000)]);
      }
    } catch (e) { /* storage blocked in this frame */ }
  }
  return out;
}"""
MAX_VALUE = 200
"""Characters of a store's value kept as evidence."""


@dataclass(frozen=True)
class StoreState:
    """The cookies and web-storage entries of a page at one moment (values included, to compare)."""

    cookies: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """(name, domain) → value, every cookie of the browser context."""
    storage: Mapping[tuple[str, str, str], str] = field(default_factory=dict)
    """(``local``/``session``, origin, key) → value (its first 4000 characters), every frame."""


async def _cookies(page: Page) -> list[Any]:
    """The cookies of the page's context; when the context answers none (a context another client made, as
    pytest-playwright's page seen over a second CDP connection), the page's own, asked of Chromium directly."""
    try:
        raw: list[Any] = list(await page.context.cookies())
    except PlaywrightError:
        raw = []
    if raw:
        return raw
    try:
        session = await page.context.new_cdp_session(page)
        try:
            answer = await session.send("Network.getCookies")
        finally:
            await session.detach()
    except PlaywrightError:
        return []
    return list(answer.get("cookies") or [])


async def capture(page: Page) -> StoreState:
    """Read every cookie of the page's context and the web storage of each of its frames (one call per frame)."""

    async def one(frame: Frame) -> Any:
        try:
            return await frame.evaluate(STORES_JS)
        except PlaywrightError:
            return None

    raw = await _cookies(page)
    cookies = {(str(c["name"]), str(c["domain"]).lstrip(".").lower()): str(c["value"]) for c in raw}
    storage: dict[tuple[str, str, str], str] = {}
    for data in await asyncio.gather(*(one(f) for f in page.frames)):
        if not isinstance(data, dict) or data.get("origin") in (None, "null", ""):
            continue
        for kind in ("local", "session"):
            for key, value in data.get(kind) or ():
                storage.setdefault((kind, str(data["origin"]), str(key)), str(value))
    return StoreState(cookies, storage)


def changes(before: StoreState, after: StoreState, cmp: str | None = None) -> tuple[StoredChoice, ...]:
    """The consent stores added, changed or removed between two states, with what each now says."""
    out: list[StoredChoice] = []
    entries: list[tuple[Literal["cookie", "local", "session"], str, str, str | None, str | None]] = []
    for name, domain in sorted(set(before.cookies) | set(after.cookies)):
        entries.append(("cookie", name, domain, before.cookies.get((name, domain)), after.cookies.get((name, domain))))
    for kind, origin, key in sorted(set(before.storage) | set(after.storage)):
        old, new = before.storage.get((kind, origin, key)), after.storage.get((kind, origin, key))
        entries.append((kind, key, origin, old, new))  # type: ignore[arg-type]
    for store, key, where, old, new in entries:
        if old == new:
            continue
        is_store, owner = store_owner(key, cmp)
        if not is_store:
            continue
        if new is None:
            out.append(StoredChoice(store, key, where, "removed", "unknown", cmp=owner))
            continue
        reading = read_value(new, key)
        out.append(
            StoredChoice(
                store=store,
                key=key,
                where=where,
                change="added" if old is None else "changed",
                says=reading.says,
                granted=reading.granted,
                refused=reading.refused,
                cmp=owner,
                value=new[:MAX_VALUE],
            )
        )
    return tuple(out)
