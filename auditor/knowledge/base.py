"""The knowledge base: which hosts, cookies and storage keys belong to whom, and what they are for.

Entries and their YAML files: :mod:`auditor.knowledge.entries`. This module merges the layers
(built-in ``curated`` files, then ``user`` files) and answers lookups on the hot path (thousands of
sites, hundreds of requests each):

* hosts: one dict lookup per label of the host (``a.b.example.com`` → ``a.b.example.com``,
  ``b.example.com``, ``example.com``, ``com``), longest suffix wins; results are LRU-cached;
* cookies and storage keys: a :class:`~auditor.knowledge.names.NameIndex` each; results are
  LRU-cached per ``(name, domain)``.

Precedence: a known *tracker* domain wins over a generic name entry of another company (a
``consent`` or ``sessionid`` cookie on ``.doubleclick.net`` is DoubleClick's), unless the name
entry is restricted to that domain or comes from a stronger layer (a user file over the curated
base). What no layer knows is left to :mod:`auditor.knowledge.behaviour`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from auditor.knowledge.community import CommunityData, shipped_community
from auditor.knowledge.entries import (
    LAYERS,
    CookieEntry,
    SourceLayer,
    TrackerEntry,
    builtin_layer,
    load_layer,
    normalise_host,
    suffixes,
)
from auditor.knowledge.names import NameIndex
from auditor.model import Classification


class KnowledgeBase:
    """Trackers, cookies and storage keys, with fast cached lookups.

    Build it with :meth:`builtin` (the shipped data, loaded once per process) or :meth:`load`
    (the shipped data plus user files that override or add entries).
    """

    def __init__(self, layers: Sequence[SourceLayer], community: CommunityData | None = None) -> None:
        """Merge layers (later ones override earlier ones by key) and build the lookup indexes.

        ``community`` is the layer consulted after these (default: the shipped community data).
        """
        self._layers = tuple(layers)
        self.community: CommunityData = community if community is not None else shipped_community()
        """The community layer (:mod:`auditor.knowledge.community`), consulted by :mod:`~auditor.knowledge.classify`."""
        self.sources: tuple[str, ...] = tuple(layer.name for layer in layers)
        """Names of the merged layers: ``builtin`` then each user file."""
        trackers: dict[tuple[str, str | None], tuple[str, TrackerEntry]] = {}
        cookies: dict[tuple[str, str, tuple[str, ...]], tuple[int, str, CookieEntry]] = {}
        storage: dict[tuple[str, str, tuple[str, ...]], tuple[int, str, CookieEntry]] = {}
        for rank, layer in enumerate(layers):
            for t in layer.trackers:
                trackers.pop((t.domain, t.path), None)
                trackers[(t.domain, t.path)] = (layer.layer, t)
            for names, entries in ((cookies, layer.cookies), (storage, layer.storage)):
                for c in entries:
                    names.pop(c.key, None)
                    names[c.key] = (rank, layer.layer, c)
        self.trackers: tuple[TrackerEntry, ...] = tuple(t for _, t in trackers.values())
        """All tracker entries after overrides."""
        self.cookies: tuple[CookieEntry, ...] = tuple(c for _, _, c in cookies.values())
        """All cookie entries after overrides."""
        self.storage: tuple[CookieEntry, ...] = tuple(c for _, _, c in storage.values())
        """All storage-key entries after overrides."""

        # Hosts: domain -> (classification of the whole host, path-limited entries longest first).
        self._hosts: dict[str, Classification] = {}
        paths: dict[str, list[tuple[str, Classification]]] = {}
        for layer_name, t in trackers.values():
            if t.path is None:
                self._hosts[t.domain] = t.classification(layer_name)
            else:
                paths.setdefault(t.domain, []).append((t.path, t.classification(layer_name)))
        self._paths: dict[str, tuple[tuple[str, Classification], ...]] = {
            d: tuple(sorted(v, key=lambda pc: -len(pc[0]))) for d, v in paths.items()
        }
        self._fallbacks: dict[tuple[int, str], Classification] = {}
        self._cookie_index = NameIndex([(r, c, c.classification(n)) for r, n, c in cookies.values()])
        self._storage_index = NameIndex([(r, c, c.classification(n)) for r, n, c in storage.values()])

        self._host_plan = lru_cache(maxsize=65536)(self._compute_host_plan)
        self._cookie_cached = lru_cache(maxsize=131072)(self._classify_cookie_uncached)
        self._storage_cached = lru_cache(maxsize=65536)(self._classify_storage_uncached)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the layers (not the caches), e.g. to ship it to Dask workers.

        The built-in base unpickles to the receiving process's own cached instance.
        """
        if self._layers == (builtin_layer(),) and self.community is shipped_community():
            return (KnowledgeBase.builtin, ())
        return (KnowledgeBase, (self._layers, self.community))

    # --- construction -----------------------------------------------------------------------

    @classmethod
    def builtin(cls) -> KnowledgeBase:
        """The shipped knowledge base; the YAML is read and indexed once per process."""
        return _builtin_kb()

    @classmethod
    def load(cls, extra: Sequence[str | Path] = (), community: CommunityData | None = None) -> KnowledgeBase:
        """The shipped knowledge base plus user files (same format), later files overriding earlier ones.

        ``community``: the community layer to consult after them (default: the shipped data only).

        An entry overrides another with the same key: the domain (and path) for trackers; the
        name, match kind and domain restriction for cookies. Every file is validated strictly;
        problems raise :class:`~auditor.yamlutil.ConfigError` naming the file and line.
        """
        if not extra and (community is None or community is shipped_community()):
            return cls.builtin()
        layers = [builtin_layer()]
        layers.extend(load_layer([Path(p)], str(p), short_labels=False) for p in extra)
        return cls(layers, community)

    # --- hosts ------------------------------------------------------------------------------

    def _compute_host_plan(self, host: str) -> tuple[tuple[tuple[str, Classification], ...], Classification | None]:
        """Path-limited candidates (most specific first) and the host-wide match, for one host."""
        candidates: list[tuple[str, Classification]] = []
        for suffix in suffixes(normalise_host(host)):
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
        found = self._cookie_index.match(name, normalise_host(domain))
        return found[0] if found is not None else None

    def _classify_cookie_uncached(self, name: str, domain: str) -> Classification | None:
        return self._decide(self._cookie_index, "Cookie", name, normalise_host(domain))

    # --- storage ----------------------------------------------------------------------------

    def classify_storage(self, key: str, host: str) -> Classification | None:
        """Classify a localStorage/sessionStorage key of an origin's ``host``, as cookies are classified.

        A key no entry lists, on a known host (an embedded player's frame), takes that host's
        classification; ``None`` when neither is known.
        """
        return self._storage_cached(key, host)

    def lookup_storage(self, key: str, host: str) -> CookieEntry | None:
        """The storage-key entry matching ``key`` on ``host`` (no host fallback)."""
        found = self._storage_index.match(key, normalise_host(host))
        return found[0] if found is not None else None

    def _classify_storage_uncached(self, key: str, host: str) -> Classification | None:
        return self._decide(self._storage_index, "Storage key", key, normalise_host(host))

    # --- precedence -------------------------------------------------------------------------

    def _decide(self, index: NameIndex, what: str, name: str, domain: str) -> Classification | None:
        """The name entry, unless a known tracker domain of another company outranks it (see module doc)."""
        found = index.match(name, domain)
        host = self._host_plan(domain)[1]
        if found is not None:
            entry, cls = found
            if host is None or not _domain_outranks(entry, cls, host):
                return cls
            return self._fallback(
                host,
                f"{what} {name!r} is a generic name (listed as {entry.vendor}, {entry.category}) on a domain"
                f" of {host.vendor}: the tracker domain decides. {host.purpose}",
            )
        if host is None:
            return None
        return self._fallback(host, f"{what} not listed by name; its domain belongs to {host.vendor}. {host.purpose}")

    def _fallback(self, host: Classification, purpose: str) -> Classification:
        key = (id(host), purpose)
        found = self._fallbacks.get(key)
        if found is None:
            found = self._fallbacks[key] = Classification(
                entity=host.entity,
                category=host.category,
                tracker=host.tracker,
                vendor=host.vendor,
                purpose=purpose,
                exempt_possible=host.exempt_possible,
                source=host.source,
                layer=host.layer,
                matched=host.matched,
            )
        return found


def _layer_rank(layer: str | None) -> int:
    return LAYERS.index(layer) if layer in LAYERS else len(LAYERS)


def _domain_outranks(entry: CookieEntry, cls: Classification, host: Classification) -> bool:
    """Whether a known host beats a matching name entry: a tracker domain of another company, same or stronger layer."""
    if entry.domains or not host.tracker or host.entity == entry.entity:
        return False
    return _layer_rank(host.layer) <= _layer_rank(cls.layer)


@cache
def _builtin_kb() -> KnowledgeBase:
    return KnowledgeBase([builtin_layer()])
