"""Knowledge-base entries and how they are read from YAML: trackers (hosts), cookies and storage keys.

Entries live in YAML files (``auditor/knowledge/data/*.yaml`` built in, plus user files in the
same format), validated strictly against ``auditor/schemas/knowledge.schema.json`` through
:mod:`auditor.yamlutil`, so a mistake is reported as ``file:line: message``. One file (or the
built-in files together) makes one :class:`SourceLayer`; :class:`~auditor.knowledge.base.KnowledgeBase`
merges layers and indexes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args

from auditor.model import Classification
from auditor.yamlutil import ConfigError, LoadedYaml, load_schema, load_validated

DATA_DIR = Path(__file__).resolve().parent / "data"
"""Directory of the built-in YAML files."""

SCHEMA_NAME = "knowledge.schema.json"
"""Name of the JSON Schema every knowledge file is validated against."""

Category = Literal["advertising", "analytics", "social", "content", "consent", "functional", "necessary"]
CATEGORIES: tuple[str, ...] = get_args(Category)
"""The closed set of categories an entry may have (see ``docs/knowledge-base.md``)."""

UNKNOWN_CATEGORY = "unknown"
"""Category given to third parties the knowledge base does not know (never used in data files)."""

UNCLASSIFIED_IDENTIFIER = "unclassified-identifier"
"""Category the behaviour layer gives to what no list knows but behaves like a tracker identifier
(never used in data files)."""

ResultCategory = Literal[Category, "unknown", "unclassified-identifier"]
RESULT_CATEGORIES: tuple[str, ...] = (*CATEGORIES, UNKNOWN_CATEGORY, UNCLASSIFIED_IDENTIFIER)
"""Every category a classification in ``results.json`` may have: the data categories and the two
the auditor reserves for itself."""

Layer = Literal["site", "user", "curated", "community", "behaviour"]
LAYERS: tuple[str, ...] = get_args(Layer)
"""Who decides a classification, strongest first (see ``docs/knowledge-base.md``, "Precedence")."""

MatchKind = Literal["exact", "prefix", "glob", "regex"]

UNKNOWN = Classification(entity=None, category=UNKNOWN_CATEGORY, tracker=False)
"""The classification of an unknown third party: reported as unknown, never dropped."""

_LIFETIME_DAYS = {
    "second": 1 / 86400,
    "minute": 1 / 1440,
    "hour": 1 / 24,
    "day": 1.0,
    "week": 7.0,
    "month": 30.4375,
    "year": 365.25,
}


def lifetime_days(lifetime: str | None) -> float | None:
    """Convert a documented lifetime (``"13 months"``, ``"session"``) to days (``None`` for session/unknown)."""
    if not lifetime or lifetime == "session":
        return None
    count, unit = lifetime.split()
    return int(count) * _LIFETIME_DAYS[unit.rstrip("s")]


def _classification(entry: TrackerEntry | CookieEntry, purpose: str, layer: str, matched: str) -> Classification:
    """The classification an entry (of hosts or of names) gives, saying which layer and entry decided it."""
    return Classification(
        entity=entry.entity,
        category=entry.category,
        tracker=entry.tracker,
        vendor=entry.vendor,
        purpose=purpose,
        exempt_possible=entry.exempt_possible,
        source=entry.source,
        layer=layer,
        matched=matched,
    )


@dataclass(frozen=True)
class TrackerEntry:
    """One host suffix (optionally limited to URL path prefixes) and what it is."""

    domain: str
    """Host suffix without leading dot (``doubleclick.net`` also covers ``stats.g.doubleclick.net``)."""
    entity: str
    """Company behind the host (``Google``)."""
    vendor: str
    """Product (``Google Marketing Platform``); the entity when the file gives none."""
    category: str
    """One of :data:`CATEGORIES`."""
    tracker: bool
    """Whether it is known to track users."""
    exempt_possible: bool
    """Whether the CNIL audience-measurement exemption can apply when the tool is configured for it."""
    description: str
    """What the host does."""
    source: str
    """URL of the public documentation the entry is based on."""
    path: str | None = None
    """URL path prefix the entry is limited to (``None``: the whole host)."""
    origin: str = ""
    """Where the entry was defined: ``file:line``."""

    def classification(self, layer: str = "curated") -> Classification:
        """The :class:`~auditor.model.Classification` this entry gives to a matching host."""
        return _classification(self, self.description, layer, f"host {self.domain}{self.path or ''} ({self.origin})")


@dataclass(frozen=True)
class CookieEntry:
    """One cookie name (or storage key) pattern and what the cookie or key is for."""

    name: str
    """The name, prefix, glob or regex (see :attr:`match`); case-sensitive."""
    match: str
    """``exact``, ``prefix``, ``glob`` (``*`` and ``?``) or ``regex`` (Python syntax, full match)."""
    entity: str
    """Company behind the cookie."""
    vendor: str
    """Product setting the cookie; the entity when the file gives none."""
    category: str
    """One of :data:`CATEGORIES`."""
    tracker: bool
    """Whether the cookie is known to track users."""
    exempt_possible: bool
    """Whether the CNIL audience-measurement exemption can apply when the tool is configured for it."""
    purpose: str
    """What the cookie is for."""
    source: str
    """URL of the public documentation the entry is based on."""
    domains: tuple[str, ...] = ()
    """If not empty, the entry only applies to cookies of these domains or their subdomains."""
    lifetime: str | None = None
    """Typical documented lifetime (``"13 months"``, ``"session"``), ``None`` when not documented."""
    origin: str = ""
    """Where the entry was defined: ``file:line``."""

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        """Identity of the entry: a later file with the same key replaces it."""
        return (self.name, self.match, tuple(sorted(self.domains)))

    @property
    def lifetime_days(self) -> float | None:
        """:attr:`lifetime` in days (``None`` for session cookies or when unknown)."""
        return lifetime_days(self.lifetime)

    def applies_to(self, domain: str) -> bool:
        """Whether the domain restriction (if any) admits a cookie of ``domain`` (normalised, no dot)."""
        return not self.domains or any(domain == d or domain.endswith("." + d) for d in self.domains)

    def regex(self) -> str:
        """This entry's pattern as a Python regular expression (for a full match)."""
        if self.match == "exact":
            return re.escape(self.name)
        if self.match == "prefix":
            return re.escape(self.name) + ".*"
        if self.match == "glob":
            return "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in self.name)
        return self.name

    def literal_start(self) -> int:
        """Length of the literal start of the pattern: longer is more specific and is tried first."""
        if self.match in ("exact", "prefix"):
            return len(self.name)
        if self.match == "glob":
            return len(re.split(r"[*?]", self.name, maxsplit=1)[0])
        return 0

    def classification(self, layer: str = "curated") -> Classification:
        """The :class:`~auditor.model.Classification` this entry gives to a matching cookie or key."""
        return _classification(self, self.purpose, layer, f"{self.name} ({self.match}, {self.origin})")


@dataclass(frozen=True)
class SourceLayer:
    """The entries of one source: the built-in files together (layer ``curated``), or one user file (``user``)."""

    name: str
    """``builtin`` or the user file's path."""
    trackers: tuple[TrackerEntry, ...]
    cookies: tuple[CookieEntry, ...]
    storage: tuple[CookieEntry, ...] = ()
    """Storage-key entries (same format as cookies; ``domains`` restricts the origin's host)."""

    @property
    def layer(self) -> str:
        """The precedence layer of these entries: ``curated`` for the built-in files, else ``user``."""
        return "curated" if self.name == "builtin" else "user"


def normalise_host(host: str) -> str:
    """Lower case, without surrounding dots or blanks."""
    return host.strip().strip(".").lower()


def suffixes(host: str) -> Iterable[str]:
    """``a.b.c`` → ``a.b.c``, ``b.c``, ``c`` (longest first)."""
    yield host
    start = host.find(".")
    while start != -1:
        yield host[start + 1 :]
        start = host.find(".", start + 1)


def _parse_names(loaded: LoadedYaml, label: str, section: str) -> list[CookieEntry]:
    """The name-pattern entries of ``section`` (``cookies`` or ``storage``), checking regexes and globs."""
    data: Mapping[str, Any] = loaded.data or {}
    out: list[CookieEntry] = []
    for i, item in enumerate(data.get(section) or ()):
        line = loaded.line_of((section, i))
        origin = f"{label}:{line}" if line else label
        entry = CookieEntry(
            name=item["name"],
            match=item.get("match", "exact"),
            entity=item["entity"],
            vendor=item.get("vendor", item["entity"]),
            category=item["category"],
            tracker=item["tracker"],
            exempt_possible=item.get("exempt_possible", False),
            purpose=item["purpose"],
            source=item["source"],
            domains=tuple(item.get("domains") or ()),
            lifetime=item.get("lifetime"),
            origin=origin,
        )
        name_line = loaded.line_of((section, i, "name"))
        if entry.match == "regex":
            try:
                re.compile(entry.name)
            except re.error as exc:
                raise ConfigError(
                    f"{section}[{i}].name: invalid regex {entry.name!r}: {exc}", file=loaded.file, line=name_line
                ) from None
        elif entry.match == "exact" and ("*" in entry.name or "?" in entry.name):
            raise ConfigError(
                f"{section}[{i}].name: {entry.name!r} contains a wildcard but match is 'exact' (use match: glob)",
                file=loaded.file,
                line=name_line,
            )
        elif entry.match == "glob" and "*" not in entry.name and "?" not in entry.name:
            raise ConfigError(
                f"{section}[{i}].name: glob {entry.name!r} has no wildcard (use match: exact)",
                file=loaded.file,
                line=name_line,
            )
        out.append(entry)
    return out


def _parse_trackers(loaded: LoadedYaml, label: str) -> list[TrackerEntry]:
    """The tracker entries of a schema-valid document (one per domain and path)."""
    data: Mapping[str, Any] = loaded.data or {}
    trackers: list[TrackerEntry] = []
    for i, item in enumerate(data.get("trackers") or ()):
        line = loaded.line_of(("trackers", i))
        origin = f"{label}:{line}" if line else label
        paths: list[str | None] = list(item.get("paths") or [None])
        for domain in item["domains"]:
            for path in paths:
                trackers.append(
                    TrackerEntry(
                        domain=domain,
                        entity=item["entity"],
                        vendor=item.get("vendor", item["entity"]),
                        category=item["category"],
                        tracker=item["tracker"],
                        exempt_possible=item.get("exempt_possible", False),
                        description=item["description"],
                        source=item["source"],
                        path=path,
                        origin=origin,
                    )
                )
    return trackers


def _check_duplicates(
    trackers: Sequence[TrackerEntry],
    cookies: Sequence[CookieEntry],
    storage: Sequence[CookieEntry],
    files: Mapping[str, str],
) -> None:
    """Within one layer, a key defined twice is an error (naming both places)."""
    seen_t: dict[tuple[str, str | None], TrackerEntry] = {}
    for t in trackers:
        first = seen_t.get((t.domain, t.path))
        if first is not None:
            where = f" {t.path}" if t.path else ""
            raise _dup_error(f"tracker {t.domain}{where} already defined at {first.origin}", t.origin, files)
        seen_t[(t.domain, t.path)] = t
    for what, entries in (("cookie", cookies), ("storage key", storage)):
        seen_c: dict[tuple[str, str, tuple[str, ...]], CookieEntry] = {}
        for c in entries:
            first_c = seen_c.get(c.key)
            if first_c is not None:
                raise _dup_error(f"{what} {c.name!r} ({c.match}) already defined at {first_c.origin}", c.origin, files)
            seen_c[c.key] = c


def _dup_error(message: str, origin: str, files: Mapping[str, str]) -> ConfigError:
    label, _, line = origin.rpartition(":")
    return ConfigError(message, file=files.get(label, label), line=int(line) if line.isdigit() else None)


def load_layer(paths: Sequence[Path], name: str, *, short_labels: bool, trusted: bool = False) -> SourceLayer:
    """Load, validate and parse files into one layer (built-in files are labelled by file name only).

    ``trusted`` (the shipped files) skips the schema check, done by the test suite instead."""
    schema = load_schema(SCHEMA_NAME)
    trackers: list[TrackerEntry] = []
    cookies: list[CookieEntry] = []
    storage: list[CookieEntry] = []
    files: dict[str, str] = {}
    for path in paths:
        loaded = load_validated(path, schema, trusted=trusted)
        label = path.name if short_labels else str(path)
        files[label] = str(path)
        trackers.extend(_parse_trackers(loaded, label))
        cookies.extend(_parse_names(loaded, label, "cookies"))
        storage.extend(_parse_names(loaded, label, "storage"))
    _check_duplicates(trackers, cookies, storage, files)
    return SourceLayer(name=name, trackers=tuple(trackers), cookies=tuple(cookies), storage=tuple(storage))


@cache
def builtin_layer() -> SourceLayer:
    """The built-in files as one layer, read and validated once per process."""
    return load_layer(sorted(DATA_DIR.glob("*.yaml")), "builtin", short_labels=True, trusted=True)
