"""The knowledge base: which hosts and cookies belong to whom, and what they are for.

Entries live in YAML files (``auditor/knowledge/data/*.yaml`` built in, plus user files in the
same format), validated strictly against ``auditor/schemas/knowledge.schema.json`` through
:mod:`auditor.yamlutil`, so a mistake is reported as ``file:line: message``.

Lookups are built for the hot path (thousands of sites, hundreds of requests each):

* hosts: one dict lookup per label of the host (``a.b.example.com`` → ``a.b.example.com``,
  ``b.example.com``, ``example.com``, ``com``), longest suffix wins; results are LRU-cached;
* cookies: exact names in a dict, then all prefix/glob patterns as one precompiled regex (most
  specific first), then user regexes; results are LRU-cached per ``(name, domain)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

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

    def classification(self) -> Classification:
        """The :class:`~auditor.model.Classification` this entry gives to a matching host."""
        return Classification(
            entity=self.entity,
            category=self.category,
            tracker=self.tracker,
            vendor=self.vendor,
            purpose=self.description,
            exempt_possible=self.exempt_possible,
            source=self.source,
        )


@dataclass(frozen=True)
class CookieEntry:
    """One cookie name pattern and what the cookie is for."""

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

    def classification(self) -> Classification:
        """The :class:`~auditor.model.Classification` this entry gives to a matching cookie."""
        return Classification(
            entity=self.entity,
            category=self.category,
            tracker=self.tracker,
            vendor=self.vendor,
            purpose=self.purpose,
            exempt_possible=self.exempt_possible,
            source=self.source,
        )


@dataclass(frozen=True)
class _Layer:
    """The entries of one source: the built-in files together, or one user file."""

    name: str
    trackers: tuple[TrackerEntry, ...]
    cookies: tuple[CookieEntry, ...]


def _normalise_host(host: str) -> str:
    return host.strip().strip(".").lower()


def _suffixes(host: str) -> Iterable[str]:
    """``a.b.c`` → ``a.b.c``, ``b.c``, ``c`` (longest first)."""
    yield host
    start = host.find(".")
    while start != -1:
        yield host[start + 1 :]
        start = host.find(".", start + 1)


def _parse_file(loaded: LoadedYaml, label: str) -> tuple[list[TrackerEntry], list[CookieEntry]]:
    """Turn a schema-valid document into entries, checking what the schema cannot (regexes, globs)."""
    data: Mapping[str, Any] = loaded.data or {}
    trackers: list[TrackerEntry] = []
    cookies: list[CookieEntry] = []
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
    for i, item in enumerate(data.get("cookies") or ()):
        line = loaded.line_of(("cookies", i))
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
        name_line = loaded.line_of(("cookies", i, "name"))
        if entry.match == "regex":
            try:
                re.compile(entry.name)
            except re.error as exc:
                raise ConfigError(
                    f"cookies[{i}].name: invalid regex {entry.name!r}: {exc}", file=loaded.file, line=name_line
                ) from None
        elif entry.match == "exact" and ("*" in entry.name or "?" in entry.name):
            raise ConfigError(
                f"cookies[{i}].name: {entry.name!r} contains a wildcard but match is 'exact' (use match: glob)",
                file=loaded.file,
                line=name_line,
            )
        elif entry.match == "glob" and "*" not in entry.name and "?" not in entry.name:
            raise ConfigError(
                f"cookies[{i}].name: glob {entry.name!r} has no wildcard (use match: exact)",
                file=loaded.file,
                line=name_line,
            )
        cookies.append(entry)
    return trackers, cookies


def _check_duplicates(
    trackers: Sequence[TrackerEntry], cookies: Sequence[CookieEntry], files: Mapping[str, str]
) -> None:
    """Within one layer, a key defined twice is an error (naming both places)."""
    seen_t: dict[tuple[str, str | None], TrackerEntry] = {}
    for t in trackers:
        first = seen_t.get((t.domain, t.path))
        if first is not None:
            where = f" {t.path}" if t.path else ""
            raise _dup_error(f"tracker {t.domain}{where} already defined at {first.origin}", t.origin, files)
        seen_t[(t.domain, t.path)] = t
    seen_c: dict[tuple[str, str, tuple[str, ...]], CookieEntry] = {}
    for c in cookies:
        first_c = seen_c.get(c.key)
        if first_c is not None:
            raise _dup_error(f"cookie {c.name!r} ({c.match}) already defined at {first_c.origin}", c.origin, files)
        seen_c[c.key] = c


def _dup_error(message: str, origin: str, files: Mapping[str, str]) -> ConfigError:
    label, _, line = origin.rpartition(":")
    return ConfigError(message, file=files.get(label, label), line=int(line) if line.isdigit() else None)


def _load_layer(paths: Sequence[Path], name: str, *, short_labels: bool) -> _Layer:
    """Load, validate and parse files into one layer (built-in files are labelled by file name only)."""
    schema = load_schema(SCHEMA_NAME)
    trackers: list[TrackerEntry] = []
    cookies: list[CookieEntry] = []
    files: dict[str, str] = {}
    for path in paths:
        loaded = load_validated(path, schema)
        label = path.name if short_labels else str(path)
        files[label] = str(path)
        t, c = _parse_file(loaded, label)
        trackers.extend(t)
        cookies.extend(c)
    _check_duplicates(trackers, cookies, files)
    return _Layer(name=name, trackers=tuple(trackers), cookies=tuple(cookies))


@cache
def _builtin_layer() -> _Layer:
    return _load_layer(sorted(DATA_DIR.glob("*.yaml")), "builtin", short_labels=True)


class KnowledgeBase:
    """Trackers and cookies, with fast cached lookups.

    Build it with :meth:`builtin` (the shipped data, loaded once per process) or :meth:`load`
    (the shipped data plus user files that override or add entries).
    """

    def __init__(self, layers: Sequence[_Layer]) -> None:
        """Merge layers (later ones override earlier ones by key) and build the lookup indexes."""
        self._layers = tuple(layers)
        self.sources: tuple[str, ...] = tuple(layer.name for layer in layers)
        """Names of the merged layers: ``builtin`` then each user file."""
        trackers: dict[tuple[str, str | None], TrackerEntry] = {}
        cookies: dict[tuple[str, str, tuple[str, ...]], tuple[int, CookieEntry]] = {}
        for rank, layer in enumerate(layers):
            for t in layer.trackers:
                trackers.pop((t.domain, t.path), None)
                trackers[(t.domain, t.path)] = t
            for c in layer.cookies:
                cookies.pop(c.key, None)
                cookies[c.key] = (rank, c)
        self.trackers: tuple[TrackerEntry, ...] = tuple(trackers.values())
        """All tracker entries after overrides."""
        self.cookies: tuple[CookieEntry, ...] = tuple(c for _, c in cookies.values())
        """All cookie entries after overrides."""

        # Hosts: domain -> (classification of the whole host, path-limited entries longest first).
        self._hosts: dict[str, Classification] = {}
        paths: dict[str, list[tuple[str, Classification]]] = {}
        for t in self.trackers:
            if t.path is None:
                self._hosts[t.domain] = t.classification()
            else:
                paths.setdefault(t.domain, []).append((t.path, t.classification()))
        self._paths: dict[str, tuple[tuple[str, Classification], ...]] = {
            d: tuple(sorted(v, key=lambda pc: -len(pc[0]))) for d, v in paths.items()
        }
        self._fallbacks: dict[int, Classification] = {}

        # Cookies: exact dict; restricted patterns (linear); one combined regex; user regexes (linear).
        # Within each tier a later layer wins, then the more specific (longer literal start) entry.
        ordered = sorted(cookies.values(), key=lambda rc: (-rc[0], -rc[1].literal_start()))
        self._exact: dict[str, list[tuple[CookieEntry, Classification]]] = {}
        restricted: list[tuple[CookieEntry, re.Pattern[str], Classification]] = []
        combined: list[tuple[CookieEntry, Classification]] = []
        regexes: list[tuple[CookieEntry, re.Pattern[str], Classification]] = []
        for _, c in ordered:
            cls = c.classification()
            if c.match == "exact":
                self._exact.setdefault(c.name, []).append((c, cls))
            elif c.domains:
                restricted.append((c, re.compile(c.regex()), cls))
            elif c.match == "regex":
                regexes.append((c, re.compile(c.regex()), cls))
            else:
                combined.append((c, cls))
        for candidates in self._exact.values():
            candidates.sort(key=lambda cc: not cc[0].domains)  # domain-restricted entries first
        self._restricted = tuple(restricted)
        self._regexes = tuple(regexes)
        self._combined_entries = tuple(combined)
        self._combined: re.Pattern[str] | None = (
            re.compile("|".join(f"(?P<k{i}>{c.regex()})" for i, (c, _) in enumerate(combined))) if combined else None
        )

        self._host_plan = lru_cache(maxsize=65536)(self._compute_host_plan)
        self._cookie_cached = lru_cache(maxsize=131072)(self._classify_cookie_uncached)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the layers (not the caches), e.g. to ship it to Dask workers.

        The built-in base unpickles to the receiving process's own cached instance.
        """
        if self._layers == (_builtin_layer(),):
            return (KnowledgeBase.builtin, ())
        return (KnowledgeBase, (self._layers,))

    # --- construction -----------------------------------------------------------------------

    @classmethod
    def builtin(cls) -> KnowledgeBase:
        """The shipped knowledge base; the YAML is read and indexed once per process."""
        return _builtin_kb()

    @classmethod
    def load(cls, extra: Sequence[str | Path] = ()) -> KnowledgeBase:
        """The shipped knowledge base plus user files (same format), later files overriding earlier ones.

        An entry overrides another with the same key: the domain (and path) for trackers; the
        name, match kind and domain restriction for cookies. Every file is validated strictly;
        problems raise :class:`~auditor.yamlutil.ConfigError` naming the file and line.
        """
        if not extra:
            return cls.builtin()
        layers = [_builtin_layer()]
        layers.extend(_load_layer([Path(p)], str(p), short_labels=False) for p in extra)
        return cls(layers)

    # --- hosts ------------------------------------------------------------------------------

    def _compute_host_plan(self, host: str) -> tuple[tuple[tuple[str, Classification], ...], Classification | None]:
        """Path-limited candidates (most specific first) and the host-wide match, for one host."""
        candidates: list[tuple[str, Classification]] = []
        for suffix in _suffixes(_normalise_host(host)):
            candidates.extend(self._paths.get(suffix, ()))
            found = self._hosts.get(suffix)
            if found is not None:
                return tuple(candidates), found
        return tuple(candidates), None

    def classify_host(self, host: str) -> Classification | None:
        """Classify a host (or cookie domain) by its longest known suffix; ``None`` when unknown.

        Entries limited to URL paths are ignored here (see :meth:`classify_url`).
        """
        return self._host_plan(host)[1]

    def classify_url(self, url: str, host: str | None = None) -> Classification | None:
        """Classify a request URL: path-limited entries of its host first, then the host itself.

        ``host`` may be given when already known (saves parsing for hosts without path entries).
        """
        if host is None:
            try:
                host = urlsplit(url).hostname or ""
            except ValueError:
                return None
        candidates, found = self._host_plan(host)
        if candidates:
            try:
                path = urlsplit(url).path or "/"
            except ValueError:
                path = "/"
            for prefix, cls in candidates:
                if path.startswith(prefix):
                    return cls
        return found

    # --- cookies ----------------------------------------------------------------------------

    def classify_cookie(self, name: str, domain: str) -> Classification | None:
        """Classify a cookie by name (respecting domain restrictions), else by its domain's host entry.

        An unlisted cookie on a known tracker domain (e.g. any cookie of ``.doubleclick.net``) takes
        that domain's classification; ``None`` when neither the name nor the domain is known.
        """
        return self._cookie_cached(name, domain)

    def lookup_cookie(self, name: str, domain: str) -> CookieEntry | None:
        """The cookie entry matching ``name`` on ``domain`` (no host fallback): explains a classification."""
        found = self._match_cookie(name, _normalise_host(domain))
        return found[0] if found is not None else None

    def _match_cookie(self, name: str, domain: str) -> tuple[CookieEntry, Classification] | None:
        for entry, cls in self._exact.get(name, ()):
            if entry.applies_to(domain):
                return entry, cls
        for entry, pattern, cls in self._restricted:
            if pattern.fullmatch(name) and entry.applies_to(domain):
                return entry, cls
        if self._combined is not None:
            m = self._combined.fullmatch(name)
            if m is not None and m.lastgroup is not None:
                return self._combined_entries[int(m.lastgroup[1:])]
        for entry, pattern, cls in self._regexes:
            if pattern.fullmatch(name):
                return entry, cls
        return None

    def _classify_cookie_uncached(self, name: str, domain: str) -> Classification | None:
        d = _normalise_host(domain)
        found = self._match_cookie(name, d)
        if found is not None:
            return found[1]
        host = self._host_plan(d)[1]
        if host is None:
            return None
        fallback = self._fallbacks.get(id(host))
        if fallback is None:
            fallback = Classification(
                entity=host.entity,
                category=host.category,
                tracker=host.tracker,
                vendor=host.vendor,
                purpose=f"Cookie not listed by name; its domain belongs to {host.vendor}. {host.purpose}",
                exempt_possible=host.exempt_possible,
                source=host.source,
            )
            self._fallbacks[id(host)] = fallback
        return fallback


@cache
def _builtin_kb() -> KnowledgeBase:
    return KnowledgeBase([_builtin_layer()])
