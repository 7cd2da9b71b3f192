"""The shape of a value: does it look like an identifier? A pure function, used at collection and classification.

An identifier is what lets a server recognise a browser again: a long random token (hex, base64,
UUID), or a long number that is not a timestamp. Flags (``1``, ``true``, ``yes``), choices
(``rejected``, ``accepted``), locales (``fr``, ``fr-FR``), dates and timestamps, short values and
plain words are not. Values are split into tokens on separators (``.``, ``|``, ``,``, ``:``, ``&``,
``=``, quotes and braces, so JSON and compound values are judged by their parts); the most
identifier-like token decides.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from urllib.parse import unquote

from auditor.model import ValueShape

MIN_TOKEN = 16
"""Shortest mixed letters-and-digits token taken for a random identifier."""
MIN_NUMBER = 11
"""Shortest all-digit token taken for a numeric identifier (10 digits are often a Unix timestamp)."""
MIN_ENTROPY = 3.0
"""Bits per character a token needs (random hex reaches about 3.7, base64 about 4 at 16 characters)."""

_FLAGS = frozenset(
    [
        "1",
        "0",
        "-1",
        "true",
        "false",
        "yes",
        "no",
        "y",
        "n",
        "on",
        "off",
        "null",
        "undefined",
        "none",
        "ok",
        "accepted",
        "accept",
        "rejected",
        "reject",
        "refused",
        "denied",
        "granted",
        "allow",
        "allowed",
        "deny",
        "all",
        "essential",
        "necessary",
        "optin",
        "optout",
        "opt-in",
        "opt-out",
        "dismiss",
        "dismissed",
        "light",
        "dark",
    ]
)
_LOCALE = re.compile(r"[a-z]{2,3}([-_][A-Za-z]{2,4})?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_SPLIT = re.compile(r"[\s.|,;:&=\"'{}\[\]()<>]+")
_TIMESTAMP_S = (946_684_800, 4_102_444_800)  # 2000-01-01 .. 2100-01-01, seconds
_SAMPLE = 4096


_LOWER = re.compile("[a-z\u00df-\u00f6\u00f8-\u00ff]")
_UPPER = re.compile("[A-Z\u00c0-\u00d6\u00d8-\u00de]")
_DIGIT = re.compile("[0-9]")
_OTHER = re.compile("[^a-zA-Z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]")


def _classes(text: str) -> str:
    """Character classes of ``text``: ``l`` lower, ``u`` upper, ``d`` digits, ``s`` anything else."""
    return (
        ("l" if _LOWER.search(text) else "")
        + ("u" if _UPPER.search(text) else "")
        + ("d" if _DIGIT.search(text) else "")
        + ("s" if _OTHER.search(text) else "")
    )


def entropy(text: str) -> float:
    """Shannon entropy of the characters of ``text``, in bits per character, rounded to 0.01 (0 when empty)."""
    if not text:
        return 0.0
    n = len(text)
    return round(abs(-sum(c / n * math.log2(c / n) for c in Counter(text).values())), 2)


def _is_timestamp(digits: str) -> bool:
    if len(digits) == 13:  # milliseconds
        return _TIMESTAMP_S[0] * 1000 <= int(digits) <= _TIMESTAMP_S[1] * 1000
    if len(digits) == 10:
        return _TIMESTAMP_S[0] <= int(digits) <= _TIMESTAMP_S[1]
    return False


def _token_verdict(token: str) -> tuple[bool, str]:
    """(identifier?, reason) for one token."""
    if _UUID.fullmatch(token):
        return True, "uuid"
    if token.isdigit():
        if _is_timestamp(token):
            return False, "timestamp"
        if len(token) >= MIN_NUMBER:
            return True, f"{len(token)}-digit number"
        return False, "short number"
    if len(token) < MIN_TOKEN:
        return False, "short"
    classes = _classes(token)
    if "d" not in classes or not ("l" in classes or "u" in classes):
        return False, "no mix of letters and digits"
    bits = entropy(token)
    if bits < MIN_ENTROPY:
        return False, f"low entropy ({bits:.1f} bits/char)"
    return True, f"random-looking token ({len(token)} chars, {bits:.1f} bits/char)"


@lru_cache(maxsize=65536)
def value_shape(value: str, length: int | None = None) -> ValueShape:
    """The :class:`~auditor.model.ValueShape` of ``value`` (``length``: the full length when ``value`` is a prefix).

    Pure and cached. Only the first 4096 characters are looked at.
    """
    full = len(value) if length is None else length
    text = value[:_SAMPLE].strip()
    if "%" in text:
        text = unquote(text)
    classes = _classes(text)
    low = text.lower()
    if not text:
        return ValueShape(full, classes, 0.0, False, ("empty",))
    if low in _FLAGS:
        return ValueShape(full, classes, entropy(text), False, ("flag",))
    if len(text) <= 8 and _LOCALE.fullmatch(text):
        return ValueShape(full, classes, entropy(text), False, ("locale",))
    if _ISO_DATE.fullmatch(text):
        return ValueShape(full, classes, entropy(text), False, ("date",))
    best: tuple[bool, float, str] = (False, 0.0, "short")
    tokens = [t for t in _SPLIT.split(text) if t]
    if _random_and_timestamp(tokens):
        return ValueShape(full, classes, entropy(text), True, ("random number with a timestamp (client id)",))
    for token in tokens:
        ident, reason = _token_verdict(token)
        bits = entropy(token)
        if ident and (not best[0] or bits > best[1]):
            best = (True, bits, reason)
        elif not best[0] and bits > best[1]:
            best = (False, bits, reason)
    return ValueShape(full, classes, best[1], best[0], (best[2],))


def _random_and_timestamp(tokens: list[str]) -> bool:
    """``<8+ random digits>.<Unix timestamp>``: the client-id format of analytics tags (``123456789.1700000000``).

    The random part may itself fall in the timestamp range, so two long numbers one of which is a
    timestamp are enough.
    """
    numbers = [t for t in tokens if t.isdigit() and len(t) >= 8]
    return len(numbers) >= 2 and any(_is_timestamp(t) for t in numbers)


_PLACEHOLDER = re.compile(r"<redacted: (\d+) chars(, identifier)?>")
_URL_SPLIT = re.compile(r"[/?&=;,#]+")


def placeholder(shape: ValueShape) -> str:
    """What a redacted value is replaced with: ``<redacted: 26 chars, identifier>`` (obvious, and still a string)."""
    return f"<redacted: {shape.length} chars{', identifier' if shape.identifier else ''}>"


def placeholder_identifier(text: str) -> bool | None:
    """Whether the placeholder ``text`` stands for an identifier-like value (``None``: ``text`` is no placeholder)."""
    found = _PLACEHOLDER.fullmatch(text)
    return None if found is None else found.group(2) is not None


def looks_like_identifier(value: str) -> bool:
    """Whether ``value`` is identifier-like: by :func:`value_shape`, or a placeholder standing for such a value."""
    flag = placeholder_identifier(value)
    return value_shape(value).identifier if flag is None else flag


def url_tokens(url: str) -> list[str]:
    """The tokens of a URL's path, query and fragment (split on ``/?&=;,#``), where ID syncing looks for values."""
    rest = url.split("://", 1)[-1]
    slash = rest.find("/")
    if slash < 0:
        return []
    return [t for t in _URL_SPLIT.split(rest[slash:]) if t]
