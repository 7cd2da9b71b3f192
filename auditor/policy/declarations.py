"""What a site declares about itself, as a rule pack's ``declarations:`` section.

A pack (hand-written, or drafted by ``consent-audit policy draft``) may list the cookies and the
vendors the site's own policy declares, each citing where it was read::

    declarations:
      lifetime_tolerance: {ratio: 0.1, days: 1}     # default: 10 % or 1 day, whichever is larger
      cookies:
        - name: "_ga*"
          category: analytics
          lifetime_days: 395
          source: {document: Cookie table, policy_url: https://www.site.fr/cookies, quote: "_ga | 13 mois"}
      vendors:
        - {name: Google Analytics, domains: [google-analytics.com], tcf_id: 755}
      unreadable:
        - {what: cookies, reason: "the cookie table of https://www.site.fr/cookies has no name column"}

Fields of the rule language (:mod:`auditor.policy.fields.declared`) compare what was observed with
these lists. A list that is absent, or marked ``unreadable``, never makes a rule pass: the fields
that need it raise :class:`~auditor.policy.fields.MissingEvidence` (outcome ``error``).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

DeclarationList = Literal["cookies", "vendors", "tcf_vendors"]
DECLARATION_LISTS: tuple[DeclarationList, ...] = ("cookies", "vendors", "tcf_vendors")
"""The lists a ``declarations:`` section can hold or mark unreadable (``tcf_vendors``: the vendors' TCF ids)."""

DECLARED_CATEGORIES = ("necessary", "functional", "consent", "analytics", "advertising", "social", "content", "unknown")
"""Categories a declared cookie may have (the knowledge base's, ``unknown`` when the policy does not say)."""

TECHNICAL_CATEGORIES = frozenset({"necessary", "functional", "consent"})
"""Declared categories that mean "needs no consent" (a tracker declared so is mis-declared)."""


def cite(source: Mapping[str, Any]) -> str:
    """A one-line citation of a declaration's source: ``URL — « quote »``."""
    where = str(source.get("policy_url") or source.get("url") or source.get("document") or "")
    quote = source.get("quote")
    return f"{where} — « {quote} »" if quote else where


@dataclass(frozen=True)
class DeclaredCookie:
    """A cookie the site declares: its name (a glob, or a regex), domain, category and lifetime."""

    name: str
    """Exact name or glob (``_ga_*``); with :attr:`regex` true, a regular expression (searched)."""
    regex: bool = False
    domain: str | None = None
    """Domain the cookie is declared on (subdomains match); ``None``: any."""
    category: str | None = None
    lifetime_days: float | None = None
    """Declared lifetime in days (``0``: a session cookie); ``None`` when the policy does not say."""
    source: Mapping[str, str] | None = None

    def matches(self, name: str, domain: str | None) -> bool:
        """Whether an observed cookie ``name`` on ``domain`` is this declaration."""
        if self.regex:
            ok = re.search(self.name, name) is not None
        elif any(ch in self.name for ch in "*?["):
            ok = fnmatch.fnmatchcase(name, self.name)
        else:
            ok = name == self.name
        if not ok or self.domain is None or domain is None:
            return ok
        want = self.domain.lstrip(".").lower()
        have = domain.lstrip(".").lower()
        return have == want or have.endswith("." + want) or want.endswith("." + have)


@dataclass(frozen=True)
class DeclaredVendor:
    """A vendor or service the site declares, with the domains it is known by and its TCF id."""

    name: str
    domains: tuple[str, ...] = ()
    tcf_id: int | None = None
    source: Mapping[str, str] | None = None

    def serves(self, host: str, product: str | None = None) -> bool:
        """Whether a request to ``host`` goes to this vendor: a declared domain (or a subdomain of it), or, for a
        vendor declared without domains, the product the knowledge base names for the host (``Google Analytics``)."""
        h = host.lower().rstrip(".")
        if any(h == d or h.endswith("." + d) for d in (x.lower().lstrip(".") for x in self.domains)):
            return True
        if self.domains or not product:
            return False
        mine, theirs = _squash(self.name), _squash(product)
        return len(theirs) >= 4 and len(mine) >= 4 and (theirs in mine or mine in theirs)


@dataclass(frozen=True)
class Declarations:
    """The cookies and vendors a pack declares, and which lists could not be read."""

    cookies: tuple[DeclaredCookie, ...] | None = None
    """``None``: the pack declares no cookie list (fields needing one are not evaluable)."""
    vendors: tuple[DeclaredVendor, ...] | None = None
    unreadable: Mapping[str, str] = field(default_factory=dict)
    """List name → why it could not be read."""
    tolerance_ratio: float = 0.1
    tolerance_days: float = 1.0
    sources: tuple[Mapping[str, str], ...] = ()
    """Where the lists were read (policy page, banner, CMP configuration)."""
    pack: str = ""

    def problem(self, what: DeclarationList) -> str | None:
        """Why the list ``what`` cannot be used (absent or unreadable), or ``None``."""
        if what in self.unreadable:
            reason = self.unreadable[what]
            return f"the declared {what.replace('_', ' ')} of pack {self.pack!r} could not be read: {reason}"
        if what == "cookies" and self.cookies is None:
            return f"pack {self.pack!r} declares no cookie list"
        if what in ("vendors", "tcf_vendors") and self.vendors is None:
            return f"pack {self.pack!r} declares no vendor list"
        if what == "tcf_vendors" and not any(v.tcf_id is not None for v in self.vendors or ()):
            return f"pack {self.pack!r} declares no TCF vendor id"
        return None

    def cookie(self, name: str, domain: str | None) -> DeclaredCookie | None:
        """The first declaration matching an observed cookie, exact names before patterns."""
        found = [c for c in self.cookies or () if c.matches(name, domain)]
        found.sort(key=lambda c: (c.regex or any(ch in c.name for ch in "*?["), c.domain is None))
        return found[0] if found else None

    def vendor(self, host: str, product: str | None = None) -> DeclaredVendor | None:
        """The declared vendor a request host (of the knowledge base's ``product``) belongs to."""
        return next((v for v in self.vendors or () if v.serves(host, product)), None)

    def tcf_ids(self) -> frozenset[int]:
        """The TCF vendor ids declared."""
        return frozenset(v.tcf_id for v in self.vendors or () if v.tcf_id is not None)

    def over_lifetime(self, observed_days: float | None, declared_days: float | None) -> bool:
        """Whether an observed lifetime exceeds the declared one beyond the tolerance (ratio or days, the larger)."""
        if observed_days is None or declared_days is None:
            return False
        slack = max(declared_days * self.tolerance_ratio, self.tolerance_days)
        return observed_days > declared_days + slack

    def list_citation(self, what: DeclarationList) -> str:
        """Where a whole list was read (for "not declared" findings)."""
        where = "; ".join(cite(s) for s in self.sources) or f"pack {self.pack!r}"
        count = len(self.cookies or ()) if what == "cookies" else len(self.vendors or ())
        return f"not among the {count} {what.replace('_', ' ')} declared in: {where}"


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _str_source(value: Any) -> Mapping[str, str] | None:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else None


def merge(parts: Sequence[Declarations], pack: str) -> Declarations | None:
    """The declarations of a pack and the packs it extends, its own first; ``None`` when none declares."""
    if not parts:
        return None
    cookies = [c for d in parts for c in d.cookies or ()]
    vendors = [v for d in parts for v in d.vendors or ()]
    unreadable: dict[str, str] = {}
    for d in reversed(parts):
        unreadable.update(d.unreadable)
    return Declarations(
        cookies=tuple(cookies) if any(d.cookies is not None for d in parts) else None,
        vendors=tuple(vendors) if any(d.vendors is not None for d in parts) else None,
        unreadable=unreadable,
        tolerance_ratio=parts[0].tolerance_ratio,
        tolerance_days=parts[0].tolerance_days,
        sources=tuple(s for d in parts for s in d.sources),
        pack=pack,
    )


def parse_declarations(data: Mapping[str, Any], pack: str, pack_sources: Sequence[Mapping[str, str]]) -> Declarations:
    """The :class:`Declarations` of a pack's (schema-validated) ``declarations:`` section."""
    cookies = None
    if "cookies" in data:
        cookies = tuple(
            DeclaredCookie(
                name=str(c["name"]["regex"] if isinstance(c["name"], Mapping) else c["name"]),
                regex=isinstance(c["name"], Mapping),
                domain=c.get("domain"),
                category=c.get("category"),
                lifetime_days=float(c["lifetime_days"]) if c.get("lifetime_days") is not None else None,
                source=_str_source(c.get("source")),
            )
            for c in data["cookies"] or ()
        )
    vendors = None
    if "vendors" in data:
        vendors = tuple(
            DeclaredVendor(
                name=str(v["name"]),
                domains=tuple(str(d).lower().lstrip(".") for d in v.get("domains") or ()),
                tcf_id=v.get("tcf_id"),
                source=_str_source(v.get("source")),
            )
            for v in data["vendors"] or ()
        )
    tolerance = data.get("lifetime_tolerance") or {}
    own = _str_source(data.get("source"))
    return Declarations(
        cookies=cookies,
        vendors=vendors,
        unreadable={str(u["what"]): str(u["reason"]) for u in data.get("unreadable") or ()},
        tolerance_ratio=float(tolerance.get("ratio", 0.1)),
        tolerance_days=float(tolerance.get("days", 1.0)),
        sources=(own,) if own else tuple(pack_sources),
        pack=pack,
    )
