"""The Open Cookie Database (Apache-2.0), shipped as a CSV snapshot, as a community layer for names.

``auditor/knowledge/data/open-cookie-database.csv`` is an unmodified snapshot (source, commit and
licence in ``NOTICE`` and ``open-cookie-database.LICENSE``). Its names are cookies and also
localStorage keys, so one index serves both. "Wildcard match" = 1 means the name is a prefix.

Categories are mapped to ours as follows (``docs/knowledge-base.md``, "Community data"):

* ``Marketing`` → ``advertising``, ``Analytics`` → ``analytics``: trackers;
* ``Functional`` and ``Personalization`` → ``functional``, not a tracker; **never** ``necessary``:
  the database's "Functional" mixes strictly necessary cookies with preferences and embeds, so it
  says nothing about the consent exemption. Such a match never silences the behaviour layer
  either (:mod:`auditor.knowledge.classify`);
* ``Security`` and ``Necessary`` → ``necessary`` (bot protection, CSRF, load balancing).

Generic names (three characters or fewer, lower-case words of four, listed by several platforms, or technical words the
behaviour layer also knows: ``uid``, ``lang``, ``token``, ``session``, ``consent``) are used only on
the domains the database gives for them, and dropped when it gives none: alone they identify
nothing (a site's own ``lang`` cookie is not LinkedIn's).

Parsing the CSV takes well under a second and happens on first use.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from auditor.knowledge.behaviour import TECHNICAL_NAME
from auditor.knowledge.entries import DATA_DIR, CookieEntry
from auditor.knowledge.names import NameIndex
from auditor.model import Classification, DataInfo

OCD_FILE = DATA_DIR / "open-cookie-database.csv"
"""The shipped snapshot."""
OCD_NAME = "open-cookie-database"
OCD_SOURCE = "https://github.com/jkwakman/Open-Cookie-Database (commit 0ee5a17fe1cb002943f89370d24fc26a4226061c)"
"""Upstream repository and the commit the snapshot was taken at."""
OCD_REPOSITORY = "https://github.com/jkwakman/Open-Cookie-Database"
OCD_DATE = "2026-01-21"
"""Date of the snapshot's commit."""
OCD_LICENCE = "Apache-2.0"

CATEGORY_MAP: dict[str, tuple[str, bool]] = {
    "Marketing": ("advertising", True),
    "Analytics": ("analytics", True),
    "Functional": ("functional", False),
    "Personalization": ("functional", False),
    "Security": ("necessary", False),
    "Necessary": ("necessary", False),
}
"""The database's category → (our category, tracker). See the module docstring for why."""

GENERIC_MAX_LEN = 3
"""Names this short are generic: used only on the domains the database gives (and lower-case words of four)."""


def is_generic(name: str, platforms: int) -> bool:
    """Whether a name alone identifies nothing: short, a short word, used by several platforms, or a technical word."""
    short_word = len(name) == GENERIC_MAX_LEN + 1 and name.isalpha() and name.islower()
    return len(name) <= GENERIC_MAX_LEN or short_word or platforms > 1 or TECHNICAL_NAME.search(name) is not None


_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")
_LIFETIME = re.compile(r"(\d+)\s*(second|minute|hour|day|week|month|year)s?")


def _domains(cell: str) -> tuple[str, ...]:
    """``".bing.com (3rd party) or .microsoft.com (3rd party)"`` → ``("bing.com", "microsoft.com")``."""
    return tuple(dict.fromkeys(m.group(0) for m in _DOMAIN.finditer(cell.lower())))


def _lifetime(cell: str) -> str | None:
    text = cell.strip().lower()
    if "session" in text:
        return "session"
    m = _LIFETIME.fullmatch(text)
    if m is None:
        return None
    count, unit = int(m.group(1)), m.group(2)
    return f"{count} {unit}" + ("s" if count != 1 else "")


@dataclass(frozen=True)
class OcdRow:
    """One row of the database, as read."""

    id: str
    platform: str
    category: str
    name: str
    domain: str
    description: str
    retention: str
    controller: str
    portal: str
    wildcard: bool


def read_rows(path: Path = OCD_FILE) -> list[OcdRow]:
    """The rows of the CSV (columns named as upstream)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            OcdRow(
                id=r["ID"].strip(),
                platform=r["Platform"].strip(),
                category=r["Category"].strip(),
                name=r["Cookie / Data Key name"].strip(),
                domain=r["Domain"] or "",
                description=(r["Description"] or "").strip(),
                retention=r["Retention period"] or "",
                controller=(r["Data Controller"] or "").strip(),
                portal=(r["User Privacy & GDPR Rights Portals"] or "").strip(),
                wildcard=(r["Wildcard match"] or "").strip() == "1",
            )
            for r in csv.DictReader(fh)
        ]


def entries_of(rows: Iterable[OcdRow]) -> list[CookieEntry]:
    """The usable rows as name entries (unknown categories and generic names without a domain are dropped)."""
    rows = [r for r in rows if r.name and r.category in CATEGORY_MAP]
    platforms: dict[str, set[str]] = {}
    for r in rows:
        platforms.setdefault(r.name, set()).add(r.platform)
    seen: Counter[tuple[str, str, tuple[str, ...]]] = Counter()
    out: list[CookieEntry] = []
    for r in rows:
        domains = _domains(r.domain)
        generic = is_generic(r.name, len(platforms[r.name]))
        if generic and not domains:
            continue
        category, tracker = CATEGORY_MAP[r.category]
        entry = CookieEntry(
            name=r.name,
            match="prefix" if r.wildcard else "exact",
            entity=r.controller or r.platform,
            vendor=r.platform or r.controller,
            category=category,
            tracker=tracker,
            exempt_possible=False,
            purpose=r.description or f"{r.platform} ({r.category} per the Open Cookie Database).",
            source=r.portal if r.portal.startswith("https://") else OCD_REPOSITORY,
            domains=domains if generic else (),
            lifetime=_lifetime(r.retention),
            origin=f"{OCD_NAME} {r.id} ({r.category})",
        )
        seen[entry.key] += 1
        if seen[entry.key] == 1:  # the database lists a few names twice: the first row wins
            out.append(entry)
    return out


class CookieDatabase:
    """The Open Cookie Database indexed like the curated base's names (:class:`~auditor.knowledge.names.NameIndex`)."""

    def __init__(self, path: Path = OCD_FILE) -> None:
        """Read and index the CSV at ``path``."""
        self.path = path
        rows = read_rows(path)
        self.rows = len(rows)
        """Rows in the file."""
        self.entries: tuple[CookieEntry, ...] = tuple(entries_of(rows))
        """The usable entries."""
        self._index = NameIndex([(0, e, e.classification("community")) for e in self.entries])

    def match(self, name: str, domain: str) -> tuple[CookieEntry, Classification] | None:
        """The entry for a cookie name or storage key on ``domain`` (normalised, no leading dot)."""
        return self._index.match(name, domain)

    def info(self) -> DataInfo:
        """Provenance of the snapshot for ``results.json``."""
        return DataInfo(
            name=OCD_NAME,
            kind="cookie-database",
            source=OCD_SOURCE,
            licence=OCD_LICENCE,
            date=OCD_DATE,
            sha256=hashlib.sha256(self.path.read_bytes()).hexdigest(),
            entries=len(self.entries),
        )


@cache
def shipped_database() -> CookieDatabase:
    """The shipped snapshot, read once per process on first use."""
    return CookieDatabase()
