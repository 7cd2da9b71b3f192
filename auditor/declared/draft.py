"""Drafting a site policy from what the site declares: pure, from the texts and readings of one visit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.declared.cmpconfig import CmpReading, ConfigService, parse_cmp_config
from auditor.declared.promises import Promise, find_promises
from auditor.declared.tables import DeclaredRow, read_tables, visible_text
from auditor.party import host_of


@dataclass(frozen=True)
class PolicyPage:
    """A cookie-policy page as fetched during the visit (``html`` ``None`` with ``error`` when it failed)."""

    url: str
    html: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class DraftInputs:
    """What one visit read of the site's declarations."""

    url: str
    """The page visited (its banner, its consent manager)."""
    banner_found: bool = False
    banner_text: str | None = None
    cmp: str | None = None
    """The consent manager the scan recognised."""
    cmp_config: Any = None
    """The answer of ``js/cmpconfig.js`` (plain data), ``None`` when it could not run."""
    pages: tuple[PolicyPage, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DraftedPolicy:
    """The site's declarations, ready to become a rule pack (:mod:`auditor.declared.write`)."""

    url: str
    host: str
    promises: tuple[Promise, ...] = ()
    cookies: tuple[DeclaredRow, ...] = ()
    services: tuple[ConfigService, ...] = ()
    tcf_vendors: tuple[tuple[int, str], ...] | None = None
    cmp: str | None = None
    unreadable: Mapping[str, str] = field(default_factory=dict)
    """Declaration list → why it could not be read (rules needing it will be *not evaluated*)."""
    warnings: tuple[str, ...] = ()
    sources: tuple[Mapping[str, str], ...] = ()
    """Where declarations were read: the banner's page, the consent manager's configuration, policy pages."""

    @property
    def pack_id(self) -> str:
        """The drafted pack's id: ``declared-<host>``."""
        return f"declared-{self.host.lower()}"

    @property
    def found_anything(self) -> bool:
        """Whether any declaration (promise, cookie, service, TCF vendor) was found."""
        return bool(self.promises or self.cookies or self.services or self.tcf_vendors)


def draft_policy(inputs: DraftInputs) -> DraftedPolicy:
    """Join the banner's promises, the consent manager's configuration and the policy pages' tables."""
    warnings: list[str] = list(inputs.notes)
    sources: list[dict[str, str]] = []
    promises: list[Promise] = []
    if not inputs.banner_found:
        warnings.append(f"no consent banner was found on {inputs.url}: no banner promise could be read")
    elif inputs.banner_text:
        promises.extend(find_promises(inputs.banner_text, inputs.url, "banner"))
        sources.append({"document": "Consent banner", "policy_url": inputs.url})
    reading = parse_cmp_config(inputs.cmp_config, inputs.url) if inputs.cmp_config is not None else None
    cmp = (reading.cmp if reading is not None else None) or inputs.cmp
    if reading is not None and reading.cmp:
        sources.append({"document": f"{reading.cmp} configuration", "url": inputs.url})
    warnings.extend(_cmp_warnings(reading, inputs.cmp))
    cookies: list[DeclaredRow] = list(reading.cookies) if reading is not None else []
    problems: list[str] = []
    tables_read = 0
    for page in inputs.pages:
        if page.html is None:
            warnings.append(f"the cookie policy {page.url} could not be read: {page.error or 'no content'}")
            continue
        tables = read_tables(page.html, page.url)
        problems.extend(tables.problems)
        if tables.rows:
            tables_read += 1
            cookies.extend(tables.rows)
            sources.append({"document": tables.title or "Cookie policy", "policy_url": page.url})
        kinds = {p.kind for p in promises}
        promises.extend(p for p in find_promises(visible_text(page.html), page.url, "policy") if p.kind not in kinds)
    if not inputs.pages:
        warnings.append("no link to a cookie policy was found on the page")
    warnings.extend(problems)
    unreadable: dict[str, str] = {}
    if not cookies:
        why = "; ".join(problems) or (
            "no cookie table on " + ", ".join(p.url for p in inputs.pages) if inputs.pages else "no cookie policy found"
        )
        unreadable["cookies"] = f"no declared cookie was found ({why}; the consent manager declares none either)"
    elif problems and not tables_read:
        unreadable["cookies"] = "; ".join(problems)
    if reading is not None and reading.tcf and reading.tcf_vendors is None:
        unreadable["tcf_vendors"] = "the TCF CMP did not answer __tcfapi('getVendorList')"
    services = reading.services if reading is not None else ()
    if not services and (reading is not None and reading.cmp is not None):
        unreadable["vendors"] = f"the {reading.cmp} configuration lists no service"
    return DraftedPolicy(
        url=inputs.url,
        host=host_of(inputs.url),
        promises=tuple(promises),
        cookies=_dedupe(cookies),
        services=tuple(services),
        tcf_vendors=reading.tcf_vendors if reading is not None else None,
        cmp=cmp,
        unreadable=unreadable,
        warnings=tuple(dict.fromkeys(warnings)),
        sources=tuple(sources),
    )


def _cmp_warnings(reading: CmpReading | None, detected: str | None) -> list[str]:
    if reading is None:
        return ["the consent manager's configuration could not be read (the page did not answer)"]
    out = [f"consent manager configuration: {p}" for p in reading.problems]
    if detected and reading.cmp is None and detected not in ("tcf",):
        out.append(f"{detected} was recognised, but its configuration is not readable in the page")
    return out


def _dedupe(rows: list[DeclaredRow]) -> tuple[DeclaredRow, ...]:
    """One declaration per cookie name: the policy table's (it states lifetimes) over the CMP's."""
    by_name: dict[str, DeclaredRow] = {}
    for row in rows:
        old = by_name.get(row.name)
        if old is None or (old.lifetime_days is None and row.lifetime_days is not None):
            by_name[row.name] = row
    return tuple(by_name.values())
