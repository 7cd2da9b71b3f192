"""Small text helpers shared by the formats: lifetimes, timestamps, sanitising, escaping for Markdown and XML.

Every string a page controls (cookie names, banner text, labels, URLs) goes through :func:`printable`
(directly, or through :func:`one_line`, :func:`md`) before a human output shows it.
"""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_ANSI = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, erase (ESC [ ... final byte)
    "|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?"  # OSC: window title, hyperlinks (ESC ] ... BEL or ST)
    "|\x1b[PX^_][^\x1b]*(?:\x1b\\\\)?"  # DCS, SOS, PM, APC strings
    "|\x1b[ -/]*[0-~]?"  # any other escape
    "|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 (but tab, newline, carriage return), DEL, C1
    "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"  # bidi marks, overrides, isolates; zero-width
    "\ufff9-\ufffb]"  # interlinear annotations
)
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85]")
_COMMAND_START = re.compile(r"(?m)^([ \t]*)::")
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


def printable(text: object) -> str:
    """``text`` safe to show a human: no ANSI escape, no control or bidi-override character, newlines kept.

    Escape sequences go whole (``\x1b[31m``, OSC titles and links); other control characters, bidi
    embeddings, overrides and isolates, zero-width characters go; CR, CR LF and Unicode line
    separators become ``\n``. Nothing can pass for a CI runner's command: ``##[`` (the legacy prefix,
    honoured anywhere in a log line) becomes ``# #[``, a line starting with ``::`` starts with ``: :``.
    The one sanitiser of every human output.
    """
    value = str(text)
    if not (value.isascii() and value.isprintable()):
        value = _ANSI.sub("", value)
        value = _LINE_BREAKS.sub("\n", value)
        value = _CONTROL.sub("", value)
    if "##[" in value:
        value = value.replace("##[", "# #[")
    if "::" in value:
        value = _COMMAND_START.sub(r"\1: :", value)
    return value


def one_line(text: object, limit: int | None = None) -> str:
    """:func:`printable`, whitespace collapsed (newlines included), cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(printable(text).split())
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
    """:func:`printable`, and the characters XML 1.0 cannot carry at all replaced (ElementTree escapes the rest)."""
    return _XML_INVALID.sub("\ufffd", printable(text))
