"""What a consent manager's own configuration declares: services, their cookies and purposes, TCF vendors.

``js/cmpconfig.js`` reads, in the page, tarteaucitron's ``tarteaucitron.job`` and service definitions,
Klaro's ``klaroConfig`` and Orejime's ``orejimeConfig`` services or purposes with their cookies,
vanilla-cookieconsent's categories (``getConfig()``) with their ``cookieTable`` and ``autoClear``
cookies, OneTrust's ``GetDomainData()`` cookie groups, and a TCF CMP's vendor list
(``__tcfapi('getVendorList')``, TCF v2.0; v2.2 CMPs no longer answer it, which is recorded). Cookiebot
renders its declaration as tables on the policy page: :mod:`.tables` reads those. :func:`parse_cmp_config`
turns the plain data into declarations; it is pure, so saved readings test it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from auditor.declared.tables import DeclaredRow
from auditor.declared.words import category_of, parse_duration

CMP_CONFIG_JS = resources.files("auditor.browser").joinpath("js/cmpconfig.js").read_text(encoding="utf-8")
"""The in-page reader (an async function of no argument, returning plain data)."""

_PURPOSES: Mapping[str, str] = {
    # tarteaucitron service types, and common purpose ids of Klaro/Orejime/vanilla configurations
    "analytic": "analytics",
    "ads": "advertising",
    "social": "social",
    "video": "content",
    "api": "functional",
    "support": "functional",
    "comment": "functional",
    "other": "unknown",
}


@dataclass(frozen=True)
class ConfigService:
    """A service (or category) the consent manager is configured to ask consent for."""

    name: str
    title: str
    category: str | None
    cookies: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class CmpReading:
    """What one consent manager's configuration declares."""

    cmp: str | None
    services: tuple[ConfigService, ...] = ()
    cookies: tuple[DeclaredRow, ...] = ()
    tcf_vendors: tuple[tuple[int, str], ...] | None = None
    """``(id, name)`` of the TCF vendors the CMP lists; ``None`` when it has no TCF or did not answer."""
    tcf: bool = False
    """The page has a TCF CMP (``__tcfapi``)."""
    problems: tuple[str, ...] = ()


def _category(purpose: Any) -> str | None:
    if not isinstance(purpose, str) or not purpose:
        return None
    first = purpose.split(",")[0].strip().lower()
    return _PURPOSES.get(first) or category_of(purpose)


def parse_cmp_config(data: Any, url: str) -> CmpReading:
    """The declarations of ``js/cmpconfig.js``'s answer on the page ``url`` (garbage in: an empty reading)."""
    if not isinstance(data, Mapping):
        return CmpReading(cmp=None, problems=("the consent manager's configuration could not be read",))
    cmp = data.get("cmp") if isinstance(data.get("cmp"), str) else None
    services: list[ConfigService] = []
    rows: list[DeclaredRow] = []
    for raw in data.get("services") or ():
        if not isinstance(raw, Mapping) or not raw.get("name"):
            continue
        category = _category(raw.get("purpose"))
        title = str(raw.get("title") or raw["name"])
        purpose = raw.get("purpose") or "no purpose"
        names: list[str] = []
        for c in raw.get("cookies") or ():
            if not isinstance(c, Mapping) or not isinstance(c.get("name"), str) or not c["name"]:
                continue
            name = f"re:{c['name']}" if c.get("regex") else str(c["name"])
            names.append(name)
            lifetime = c.get("lifetime")
            rows.append(
                DeclaredRow(
                    name=name,
                    category=category_of(c.get("purpose")) or category,
                    lifetime_days=parse_duration(str(lifetime)) if lifetime else None,
                    domain=str(c["domain"]) if c.get("domain") else None,
                    vendor=title,
                    row=f"{cmp} configuration: service {title!r} ({purpose}) — cookie {c['name']}",
                    url=url,
                )
            )
        services.append(
            ConfigService(
                name=str(raw["name"]),
                title=title,
                category=category,
                cookies=tuple(names),
                domains=tuple(str(d) for d in raw.get("domains") or () if d),
            )
        )
    vendors = data.get("tcf_vendors")
    tcf_vendors = (
        tuple((int(v["id"]), str(v.get("name") or v["id"])) for v in vendors if isinstance(v, Mapping) and "id" in v)
        if isinstance(vendors, list)
        else None
    )
    problems = tuple(str(e) for e in data.get("errors") or ())
    return CmpReading(
        cmp=cmp,
        services=tuple(services),
        cookies=tuple(rows),
        tcf_vendors=tcf_vendors,
        tcf=tcf_vendors is not None or any(p.startswith("tcf:") for p in problems),
        problems=problems,
    )
