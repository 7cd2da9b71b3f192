"""Requests matched against Adblock Plus filter lists (EasyPrivacy, EasyList, ...) by a maintained matcher.

The matching is Brave's adblock-rust engine (the ``adblock`` package), not ours: it implements the
whole network-filter syntax (``||host^``, paths, wildcards, ``$third-party``, ``$domain=``,
resource types, ``@@`` exceptions, ``$important``). The lists are combined in one engine, as
browsers and blockers use them, so an exception of one list applies to the others. A blocked
request records which list and which filter blocked it; an excepted one is not classified by the
lists (it falls to the behaviour layer). Cosmetic filters (``##``) are dropped on loading: they
hide page elements and say nothing about requests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import adblock

from auditor.model import Classification

_COSMETIC = ("##", "#@#", "#?#", "#$#", "#%#")
_HOST_WIDE = re.compile(r"\|\|[a-z0-9.-]+\^(\$third-party)?")
"""A filter blocking a whole host: ``||host^``, optionally ``$third-party``."""

# Playwright resource types -> the request types adblock-rust understands.
_RESOURCE_TYPES = {
    "document": "sub_frame",
    "stylesheet": "stylesheet",
    "image": "image",
    "media": "media",
    "font": "font",
    "script": "script",
    "texttrack": "media",
    "xhr": "xmlhttprequest",
    "fetch": "xmlhttprequest",
    "eventsource": "other",
    "websocket": "websocket",
    "manifest": "other",
    "ping": "ping",
    "beacon": "ping",
    "other": "other",
}


@dataclass(frozen=True)
class FilterList:
    """A filter list to load: its text and how to report a match."""

    name: str
    """Short name (``easyprivacy``)."""
    text: str
    """The list in Adblock Plus syntax."""
    category: str = "advertising"
    """Category given to the requests it blocks."""
    source: str = ""
    """Where it came from (URL), cited as the classification's ``source``."""
    date: str | None = None
    """When it was downloaded, cited in the reasons."""


@dataclass(frozen=True)
class FilterMatch:
    """The verdict of the lists on one request."""

    blocked: bool
    """Whether a filter blocks it (and no exception allows it)."""
    filter: str | None
    """The blocking filter's text (also when an exception overrides it)."""
    exception: str | None
    """The ``@@`` exception filter that allows it, if any."""
    list_name: str | None
    """The list the blocking filter (or, when allowed, the exception) comes from."""


def network_filters(text: str) -> list[str]:
    """The network filters of a list: no comments, headers, blank lines or cosmetic filters."""
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("!", "[")) or any(mark in line for mark in _COSMETIC):
            continue
        out.append(line)
    return out


def request_type(resource_type: str, url: str, page_url: str | None) -> str:
    """The adblock request type of a Playwright resource type (the page's own document is ``document``)."""
    if resource_type == "document" and page_url is not None and url == page_url:
        return "document"
    return _RESOURCE_TYPES.get(resource_type, "other")


class FilterMatcher:
    """Filter lists compiled into one adblock-rust engine; :meth:`classify` explains each block."""

    def __init__(self, lists: Sequence[FilterList]) -> None:
        """Compile ``lists`` (later lists name a filter text that appears in several lists last)."""
        self.lists = tuple(lists)
        self._owner: dict[str, FilterList] = {}
        filters = adblock.FilterSet(debug=True)
        self.filter_count = 0
        """Network filters loaded (over all lists)."""
        for flist in lists:
            lines = network_filters(flist.text)
            self.filter_count += len(lines)
            for line in lines:
                self._owner.setdefault(line, flist)
            filters.add_filter_list("\n".join(lines), format="standard")
        self._engine = adblock.Engine(filters, optimize=True)
        self._classifications: dict[str, Classification] = {}
        self._domains: dict[str, Classification | None] = {}

    def match(self, url: str, page_url: str, resource_type: str) -> FilterMatch | None:
        """What the lists say about a ``resource_type`` request to ``url`` made by ``page_url``; ``None``: nothing."""
        result = self._engine.check_network_urls(url, page_url, request_type(resource_type, url, page_url))
        if result.filter is None and result.exception is None:
            return None
        decisive = result.filter if result.matched or result.exception is None else result.exception
        owner = self._owner.get(decisive or "")
        return FilterMatch(
            blocked=bool(result.matched),
            filter=result.filter,
            exception=result.exception,
            list_name=owner.name if owner is not None else None,
        )

    def classify(self, url: str, page_url: str, resource_type: str) -> Classification | None:
        """The classification of a blocked request (layer ``community``), ``None`` when no list blocks it."""
        found = self.match(url, page_url, resource_type)
        if found is None or not found.blocked or found.filter is None:
            return None
        cls = self._classifications.get(found.filter)
        if cls is None:
            cls = self._classifications[found.filter] = self._classification(found.filter)
        return cls

    def classify_domain(self, domain: str) -> Classification | None:
        """The classification of a cookie domain that a *host-wide* filter blocks (``||host^``, ``$third-party``).

        Only filters anchored on a host with no path, wildcard or other option count: they say the
        whole host is a tracker, so its cookies are too (as a curated tracker domain's are). Cached.
        """
        host = domain.strip().lstrip(".").lower()
        if host in self._domains:
            return self._domains[host]
        found = self.match(f"https://{host}/", "https://first-party.invalid/", "script")
        cls = None
        if found is not None and found.blocked and found.filter is not None and _HOST_WIDE.fullmatch(found.filter):
            base = self.classify(f"https://{host}/", "https://first-party.invalid/", "script")
            if base is not None:
                cls = replace(
                    base,
                    purpose=f"Cookie of a host the list blocks as a whole. {base.purpose}",
                    matched=f"{base.matched} (host-wide)",
                )
        if len(self._domains) < 65536:
            self._domains[host] = cls
        return cls

    def _classification(self, text: str) -> Classification:
        owner = self._owner.get(text)
        name = owner.name if owner is not None else "filter lists"
        dated = f"{name} (downloaded {owner.date})" if owner is not None and owner.date else name
        return Classification(
            entity=None,
            category=owner.category if owner is not None else "advertising",
            tracker=True,
            purpose=f"Blocked by {dated}, filter {text}.",
            source=owner.source or None if owner is not None else None,
            layer="community",
            reasons=(f"{dated} filter {text}",),
            matched=f"{name} filter {text}",
        )
