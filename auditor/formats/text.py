"""Small text helpers shared by the formats: lifetimes, timestamps, escaping for Markdown and XML."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def lifetime(days: float | None) -> str:
    """Human lifetime of a cookie: ``session``, ``6 hours``, ``30 days``, ``13 months (395 days)``."""
    if days is None:
        return "session"
    if days < 0:
        return "expired"
    if days < 1:
        hours = round(days * 24)
        return "under an hour" if hours < 1 else f"{hours} hour{'s' if hours != 1 else ''}"
    if days < 60:
        d = round(days)
        return f"{d} day{'s' if d != 1 else ''}"
    months = round(days / 30.44)
    return f"{months} months ({round(days)} days)"


LIFETIME_LIMIT_DAYS = 395
"""13 months: the CNIL's maximum lifetime for tracker cookies, highlighted in reports."""


def one_line(text: str, limit: int | None = None) -> str:
    """Collapse whitespace (newlines included) and cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(str(text).split())
    if limit is not None and len(flat) > limit:
        return flat[: max(limit - 1, 0)] + "…"
    return flat


def md(text: object, limit: int | None = None) -> str:
    """Escape a value for a Markdown table cell or line: no HTML, no links, no formatting, one line.

    ``<``, ``>`` and ``&`` become entities (GitHub renders raw HTML in Markdown); the characters that
    open emphasis, code, links, tables or strike-through are backslash-escaped; newlines are collapsed.
    """
    flat = one_line(str(text), limit)
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", flat)


def xml_safe(text: object) -> str:
    """Drop the characters XML 1.0 cannot carry at all (ElementTree escapes the rest)."""
    return _XML_INVALID.sub("\ufffd", str(text))
