"""A fast index of name patterns (cookie names, storage keys): exact, prefix, glob and regex entries.

Lookup order: exact names in a dict (domain-restricted entries first); domain-restricted patterns;
every unrestricted prefix/glob pattern as one precompiled alternation (most specific first); user
regexes. Within each tier an entry of a later layer wins, then the more specific one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from auditor.knowledge.entries import CookieEntry
from auditor.model import Classification


class NameIndex:
    """Name-pattern entries of merged layers, indexed for :meth:`match`."""

    def __init__(self, ranked: Sequence[tuple[int, CookieEntry, Classification]]) -> None:
        """Index ``(layer rank, entry, classification)`` triples (a higher rank is a later layer)."""
        ordered = sorted(ranked, key=lambda rec: (-rec[0], -rec[1].literal_start()))
        self._exact: dict[str, list[tuple[CookieEntry, Classification]]] = {}
        restricted: list[tuple[CookieEntry, re.Pattern[str], Classification]] = []
        combined: list[tuple[CookieEntry, Classification]] = []
        regexes: list[tuple[CookieEntry, re.Pattern[str], Classification]] = []
        for _, entry, cls in ordered:
            if entry.match == "exact":
                self._exact.setdefault(entry.name, []).append((entry, cls))
            elif entry.domains:
                restricted.append((entry, re.compile(entry.regex()), cls))
            elif entry.match == "regex":
                regexes.append((entry, re.compile(entry.regex()), cls))
            else:
                combined.append((entry, cls))
        for candidates in self._exact.values():
            candidates.sort(key=lambda cc: not cc[0].domains)  # domain-restricted entries first
        self._restricted = tuple(restricted)
        self._regexes = tuple(regexes)
        self._combined_entries = tuple(combined)
        self._combined: re.Pattern[str] | None = (
            re.compile("|".join(f"(?P<k{i}>{c.regex()})" for i, (c, _) in enumerate(combined))) if combined else None
        )

    def match(self, name: str, domain: str) -> tuple[CookieEntry, Classification] | None:
        """The entry matching ``name`` on ``domain`` (normalised, no leading dot), with its classification."""
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
