"""The community layer: well-kept public data, consulted after our curated base and before behaviour.

* cookies and storage keys: the shipped Open Cookie Database (:mod:`auditor.knowledge.ocd`);
* requests: Adblock Plus filter lists (EasyPrivacy, EasyList, user-named lists) that
  ``consent-audit data update`` downloaded into the data cache (:mod:`auditor.knowledge.datacache`),
  matched by adblock-rust (:mod:`auditor.knowledge.filterlists`).

Both are loaded on first use, not when the CLI starts. :meth:`CommunityData.provenance` says which
data sets were used (name, date, SHA-256, entry counts), for ``results.json``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from auditor.knowledge.cname import CnameTrackers, via_cname
from auditor.knowledge.datacache import CachedData, DataError, read_manifest
from auditor.knowledge.entries import CookieEntry, normalise_host
from auditor.knowledge.filterlists import FilterList, FilterMatch, FilterMatcher
from auditor.knowledge.ocd import CookieDatabase, shipped_database
from auditor.model import Classification, DataInfo


class CommunityData:
    """The shipped cookie database plus the filter lists of a data cache; everything loads lazily."""

    def __init__(self, directory: Path | None = None, *, cookie_database: bool = True) -> None:
        """Use the filter lists listed in ``directory``'s manifest (``None``: none) and the shipped database.

        The manifest is read now (a broken one raises :class:`~auditor.knowledge.datacache.DataError`);
        the lists are compiled on the first request to classify.
        """
        self.directory = directory
        self._use_database = cookie_database
        cached = read_manifest(directory) if directory is not None else ()
        self.lists: tuple[CachedData, ...] = tuple(c for c in cached if c.kind == "filterlist")
        """The filter lists of the cache."""
        self.cname_lists: tuple[CachedData, ...] = tuple(c for c in cached if c.kind == "cname")
        """The CNAME tracker lists of the cache."""
        self._cname: tuple[CnameTrackers, ...] | None = None
        self._matcher: FilterMatcher | None = None
        self._cookies: dict[tuple[str, str], tuple[CookieEntry, Classification] | None] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the cache directory (the engine is rebuilt where it is unpickled)."""
        if self.directory is None and self._use_database:
            return (shipped_community, ())
        return (_restore, (self.directory, self._use_database))

    @classmethod
    def shipped(cls) -> CommunityData:
        """Only what ships with the package (the Open Cookie Database); one per process."""
        return shipped_community()

    def prepare(self) -> CommunityData:
        """Load everything now (database, compiled lists, CNAME lists): before the browser starts, not mid-run.

        Compiling EasyList-sized lists takes seconds; done lazily it would stall the first site's
        post-processing while other sites' pages are loading.
        """
        _ = self.database, self.matcher, self.cname_trackers
        return self

    # --- names ---------------------------------------------------------------------------------

    @property
    def database(self) -> CookieDatabase | None:
        """The Open Cookie Database (read on first use), ``None`` when turned off."""
        return shipped_database() if self._use_database else None

    def lookup_name(self, name: str, domain: str) -> tuple[CookieEntry, Classification] | None:
        """The database entry for a cookie name or storage key on ``domain`` (cached)."""
        key = (name, domain)
        if key in self._cookies:
            return self._cookies[key]
        db = self.database
        found = db.match(name, normalise_host(domain)) if db is not None else None
        if len(self._cookies) < 131072:
            self._cookies[key] = found
        return found

    def classify_name(self, name: str, domain: str) -> Classification | None:
        """The community classification of a cookie name or storage key on ``domain``; ``None`` when unknown."""
        found = self.lookup_name(name, domain)
        return found[1] if found is not None else None

    # --- requests ------------------------------------------------------------------------------

    @property
    def matcher(self) -> FilterMatcher | None:
        """The compiled filter lists (built on first use), ``None`` when the cache has none."""
        if self._matcher is None and self.lists:
            assert self.directory is not None
            self._matcher = FilterMatcher([_filter_list(self.directory, c) for c in self.lists])
        return self._matcher

    def classify_request(self, url: str, page_url: str, resource_type: str) -> Classification | None:
        """The classification of a request a filter list blocks (made by ``page_url``); ``None`` otherwise."""
        matcher = self.matcher
        return matcher.classify(url, page_url, resource_type) if matcher is not None else None

    def classify_cookie_domain(self, domain: str) -> Classification | None:
        """A cookie's classification from its domain, when a filter list blocks that whole host; else ``None``."""
        matcher = self.matcher
        return matcher.classify_domain(domain) if matcher is not None else None

    def match_request(self, url: str, page_url: str, resource_type: str) -> FilterMatch | None:
        """What the filter lists say about a request, exceptions included (to explain a classification)."""
        matcher = self.matcher
        return matcher.match(url, page_url, resource_type) if matcher is not None else None

    # --- CNAME cloaking ----------------------------------------------------------------------------

    @property
    def cname_trackers(self) -> tuple[CnameTrackers, ...]:
        """The CNAME tracker lists of the cache, parsed on first use."""
        if self._cname is None:
            assert self.directory is not None or not self.cname_lists
            self._cname = tuple(
                CnameTrackers.parse(
                    _verified_text(self.directory, c), c.name, date=c.downloaded, source=c.url, category=c.category
                )
                for c in self.cname_lists
                if self.directory is not None
            )
        return self._cname

    def classify_cname(
        self,
        host: str,
        chain: tuple[str, ...],
        known: Callable[[str], Classification | None] | None = None,
    ) -> Classification | None:
        """A request to ``host`` whose CNAME ``chain`` points at a tracker; ``None`` when nothing knows the chain.

        ``known`` looks a target up in the stronger layers (the curated base): a target it knows as a
        tracker gives that entry (a cloaked Eulerian keeps its ``exempt_possible``); a target a CNAME
        tracker list names is a tracker even if the curated base calls it a tag manager; a target
        only the curated base knows, as no tracker (a CDN), gives that entry.
        """
        if not chain:
            return None
        cloaked = via_cname(known, host, chain) if known is not None else None
        if cloaked is not None and cloaked.tracker:
            return cloaked
        for trackers in self.cname_trackers:
            found = trackers.classify(host, chain)
            if found is not None:
                return found
        return cloaked

    # --- provenance ----------------------------------------------------------------------------

    def provenance(self) -> tuple[DataInfo, ...]:
        """The data sets this layer uses, for ``results.json`` (the database first, then the lists by name)."""
        db = self.database
        infos = [db.info()] if db is not None else []
        infos.extend(c.info() for c in self.lists)
        infos.extend(c.info() for c in self.cname_lists)
        return tuple(infos)


def _verified_text(directory: Path, cached: CachedData) -> str:
    """The text of a cached file, checked against the SHA-256 of the manifest."""
    path = directory / cached.file
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: listed in the data manifest but unreadable ({exc}): run 'data update'") from None
    if hashlib.sha256(body).hexdigest() != cached.sha256:
        raise DataError(f"{path}: changed since it was downloaded (SHA-256 differs from the manifest): 'data update'")
    return body.decode("utf-8-sig")


def _filter_list(directory: Path, cached: CachedData) -> FilterList:
    return FilterList(
        name=cached.name,
        text=_verified_text(directory, cached),
        category=cached.category,
        source=cached.url,
        date=cached.downloaded,
    )


def _restore(directory: Path | None, cookie_database: bool) -> CommunityData:
    return CommunityData(directory, cookie_database=cookie_database)


@cache
def shipped_community() -> CommunityData:
    """The community layer with no data cache (the shipped database only), one per process."""
    return CommunityData()


def load_community(directory: Path | None, *, cookie_database: bool = True) -> CommunityData:
    """The community layer over the data cache ``directory`` (``None``: only the shipped data)."""
    if cookie_database and (directory is None or not read_manifest(directory)):
        return shipped_community()
    return CommunityData(directory, cookie_database=cookie_database)


__all__: Sequence[str] = ("CommunityData", "load_community", "shipped_community")
