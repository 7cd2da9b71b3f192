"""The evidence tables of the HTML report: cookies, third-party requests, storage, TCF, screenshots.

Each builder turns one site's phases into rows the template shows as they are (one row per cookie,
storage key or company, with the phases it was seen in), so the template stays free of logic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.formats.summary import is_tracker
from auditor.formats.templating import read_image
from auditor.formats.text import LIFETIME_LIMIT_DAYS, lifetime, one_line
from auditor.model import PHASES, Cookie, Request, SiteResult, TcfState

TCF_PURPOSES: dict[int, str] = {
    1: "Store and/or access information on a device",
    2: "Use limited data to select advertising",
    3: "Create profiles for personalised advertising",
    4: "Use profiles to select personalised advertising",
    5: "Create profiles to personalise content",
    6: "Use profiles to select personalised content",
    7: "Measure advertising performance",
    8: "Measure content performance",
    9: "Understand audiences through statistics or combinations of data from different sources",
    10: "Develop and improve services",
    11: "Use limited data to select content",
}
TCF_SPECIAL_FEATURES: dict[int, str] = {
    1: "Use precise geolocation data",
    2: "Actively scan device characteristics for identification",
}
MAX_VALUE_CHARS = 120


@dataclass(frozen=True)
class Image:
    """A screenshot: embedded (``data_uri``) or the reason it is not."""

    label: str
    path: str
    data_uri: str | None
    problem: str | None


@dataclass(frozen=True)
class CookieRow:
    """One cookie (name, domain, path) across the three phases."""

    name: str
    domain: str
    party: str
    vendor: str
    category: str
    purpose: str
    tracker: bool
    exempt: bool
    lifetime: str
    over_limit: bool
    set_by: str
    flags: str
    present: dict[str, bool]
    value: str | None


@dataclass(frozen=True)
class RequestGroup:
    """Third-party requests of one company (entity) or registrable domain, across phases."""

    name: str
    category: str
    tracker: bool
    hosts: tuple[str, ...]
    counts: dict[str, int]
    examples: tuple[str, ...]


@dataclass(frozen=True)
class StorageRow:
    """One storage key across phases."""

    origin: str
    kind: str
    key: str
    party: str
    size: int
    present: dict[str, bool]


@dataclass(frozen=True)
class TcfView:
    """A decoded TCF state, with purpose names."""

    phase: str
    state: TcfState
    purposes: tuple[tuple[int, str], ...]
    legitimate_interests: tuple[tuple[int, str], ...]
    special_features: tuple[tuple[int, str], ...]
    tc_string: str


def image_view(label: str, path: str, base: Path | None) -> Image:
    """A screenshot for the report: embedded when it is inside the results folder, else the reason."""
    data_uri, problem = read_image(path, base)
    return Image(label=label, path=path, data_uri=data_uri, problem=problem)


def cookie_rows(site: SiteResult, show_values: bool) -> tuple[CookieRow, ...]:
    """Every cookie of the site once (name, domain, path), with the phases it was seen in; trackers first."""
    rows: dict[tuple[str, str, str], tuple[Cookie, dict[str, bool]]] = {}
    for p in PHASES:
        phase = site.phases.get(p)
        for c in phase.cookies if phase else ():
            key = (c.name, c.domain, c.path)
            if key not in rows:
                rows[key] = (c, {q: False for q in PHASES})
            rows[key][1][p] = True
    out = []
    for c, present in rows.values():
        cl = c.classification
        flags = [f for f, on in (("Secure", c.secure), ("HttpOnly", c.http_only)) if on]
        if c.same_site:
            flags.append(f"SameSite={c.same_site}")
        tracker = is_tracker(c)
        out.append(
            CookieRow(
                name=c.name,
                domain=c.domain,
                party=c.party,
                vendor=(cl.vendor or cl.entity or "") if cl else "",
                category=cl.category if cl else "unknown",
                purpose=(cl.purpose or "") if cl else "",
                tracker=tracker,
                exempt=bool(cl and cl.exempt_possible),
                lifetime=lifetime(c.lifetime_days),
                over_limit=tracker and c.lifetime_days is not None and c.lifetime_days > LIFETIME_LIMIT_DAYS,
                set_by=c.set_by,
                flags=" ".join(flags),
                present=present,
                value=one_line(c.value, MAX_VALUE_CHARS) if show_values else None,
            )
        )

    def order(row: CookieRow) -> tuple[bool, bool, bool, bool, str, str]:
        """Trackers present before or after refusal first, then by presence, then by domain."""
        early = row.tracker and not row.exempt and (row.present["reject"] or row.present["before"])
        return (not early, not row.present["reject"], not row.present["before"], not row.tracker, row.domain, row.name)

    return tuple(sorted(out, key=order))


def request_groups(site: SiteResult) -> tuple[tuple[RequestGroup, ...], dict[str, int]]:
    """Third-party requests grouped by company or registrable domain, and the first-party request counts per phase."""
    groups: dict[str, dict[str, Any]] = {}
    first: dict[str, int] = {p: 0 for p in PHASES}
    for p in PHASES:
        phase = site.phases.get(p)
        for r in phase.requests if phase else ():
            if r.party == "first":
                first[p] += 1
                continue
            name = _group_name(r)
            g = groups.setdefault(
                name,
                {"category": "", "tracker": False, "hosts": set(), "counts": {q: 0 for q in PHASES}, "examples": []},
            )
            if r.classification is not None:
                g["category"] = g["category"] or r.classification.category
                g["tracker"] = g["tracker"] or r.classification.tracker
            g["hosts"].add(r.host)
            g["counts"][p] += 1
            if len(g["examples"]) < 3 and r.url not in g["examples"]:
                g["examples"].append(r.url)
    out = [
        RequestGroup(
            name=name,
            category=g["category"] or "unknown",
            tracker=g["tracker"],
            hosts=tuple(sorted(g["hosts"])),
            counts=g["counts"],
            examples=tuple(one_line(u, 160) for u in g["examples"]),
        )
        for name, g in groups.items()
    ]
    out.sort(key=lambda g: (not g.tracker, -g.counts["reject"], -g.counts["before"], g.name.lower()))
    return tuple(out), first


def _group_name(r: Request) -> str:
    cl = r.classification
    if cl is not None and cl.entity:
        return cl.entity
    return r.registrable_domain or r.host


def storage_rows(site: SiteResult) -> tuple[StorageRow, ...]:
    """Every storage key of the site once, with the phases it was seen in."""
    rows: dict[tuple[str, str, str], StorageRow] = {}
    for p in PHASES:
        phase = site.phases.get(p)
        for s in phase.storage if phase else ():
            key = (s.origin, s.kind, s.key)
            if key not in rows:
                rows[key] = StorageRow(s.origin, s.kind, s.key, s.party, s.size, {q: False for q in PHASES})
            rows[key].present[p] = True
    return tuple(rows.values())


def _named(ids: Iterable[int], names: Mapping[int, str]) -> tuple[tuple[int, str], ...]:
    return tuple((i, names.get(i, "unknown purpose")) for i in sorted(ids))


def tcf_views(site: SiteResult) -> tuple[TcfView, ...]:
    """The decoded TCF states of every phase, with the purpose names."""
    out = []
    for p in PHASES:
        phase = site.phases.get(p)
        for t in phase.tcf if phase else ():
            out.append(
                TcfView(
                    phase=p,
                    state=t,
                    purposes=_named(t.purpose_consents, TCF_PURPOSES),
                    legitimate_interests=_named(t.purpose_legitimate_interests, TCF_PURPOSES),
                    special_features=_named(t.special_feature_optins, TCF_SPECIAL_FEATURES),
                    tc_string=one_line(t.tc_string or "", 90),
                )
            )
    return tuple(out)
