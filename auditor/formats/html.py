"""HTML: the self-contained evidence report that compliance engineers, editors and lawyers read.

One file: CSS inlined, screenshots embedded as ``data:`` URIs, no script, no external request, so it
opens offline and inside CI artifacts. The template is ``reports/report.html.j2``; this module
builds its view model (plain dataclasses) from the run, so the template stays free of logic.

Safety: autoescape is on; cookie values are hidden unless ``show_values``; links only for
``http(s)`` URLs; screenshots only from inside the results folder (see
:func:`auditor.formats.templating.read_image`).
"""

from __future__ import annotations

import hashlib
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.formats.common import citations, policy_quote, quote_label
from auditor.formats.groups import FindingGroup, group_findings, worst_groups
from auditor.formats.html_tables import (
    CookieRow,
    Image,
    RequestGroup,
    StorageRow,
    TcfView,
    cookie_rows,
    image_view,
    request_groups,
    storage_rows,
    tcf_views,
)
from auditor.formats.interface import Format, Formatter, RenderOptions
from auditor.formats.summary import (
    PHASE_SHORT,
    PhaseCounts,
    RunSummary,
    SiteSummary,
    is_exempt,
    is_tracker,
    summarise,
    tracker_name,
)
from auditor.formats.templating import render_template, safe_href
from auditor.model import DEFAULT_PHASES, PHASES, Finding, PhaseResult, RunResult, SiteResult
from auditor.phasenames import phase_title
from auditor.results import dumps_run
from auditor.verdict import Gap


@dataclass(frozen=True)
class PhaseView:
    """One phase card."""

    name: str
    title: str
    phase: PhaseResult | None
    counts: PhaseCounts
    screenshots: tuple[Image, ...]
    tracker_names: tuple[str, ...]
    """Distinct trackers that set cookies in this phase."""
    exempt_names: tuple[str, ...]
    """Distinct audience-measurement tools that may be exempt and set cookies in this phase."""


@dataclass(frozen=True)
class Delta:
    """A list of things that differ between phases (cookie or host names, with who is behind them)."""

    title: str
    explanation: str
    cookies: tuple[str, ...]
    hosts: tuple[str, ...]
    tone: str
    """``bad``, ``neutral``, ``good`` or ``unknown``: the box colour (``good`` only on complete evidence)."""
    unconfirmed: str | None = None
    """Why an empty list proves nothing (the phase failed, the click was not confirmed...), else ``None``."""


@dataclass(frozen=True)
class FindingView:
    """A finding with what the template needs to show it."""

    finding: Finding
    subject: str
    phase_title: str
    citations: tuple[tuple[tuple[str, str, str | None], ...], ...]
    """Each citation of the rule source as (key, text, http link or ``None``) items, the quote excluded."""
    quote: str | None
    """The words the rule implements (the site's policy, or a regulation), if any."""
    quote_label: str
    """``Site policy`` or ``Quoted text``."""


@dataclass(frozen=True)
class GroupView:
    """The findings of one site about one subject (:class:`~auditor.formats.groups.FindingGroup`)."""

    group: FindingGroup
    findings: tuple[FindingView, ...]

    @property
    def phase_titles(self) -> tuple[str, ...]:
        """Human titles of the phases the subject was seen in."""
        return tuple(phase_title(p) if p != "site" else "Whole site" for p in self.group.phases)


@dataclass(frozen=True)
class SiteView:
    """Everything the template shows about one site."""

    anchor: str
    summary: SiteSummary
    site: SiteResult
    banner_images: tuple[Image, ...]
    banner: Any
    phases: tuple[PhaseView, ...]
    deltas: tuple[Delta, ...]
    findings: tuple[FindingView, ...]
    groups: tuple[GroupView, ...]
    """The findings grouped by subject, worst first (what the report shows)."""
    cookies: tuple[CookieRow, ...]
    refused_set_cookies: tuple[tuple[str, Any], ...]
    request_groups: tuple[RequestGroup, ...]
    first_party_requests: dict[str, int]
    storage: tuple[StorageRow, ...]
    tcf: tuple[TcfView, ...]


@dataclass(frozen=True)
class Provenance:
    """Who produced the evidence, when, how: shown at the end of the report."""

    items: tuple[tuple[str, str], ...]
    results_sha256: str
    results_name: str


@dataclass(frozen=True)
class ReportView:
    """The whole report."""

    run: RunResult
    summary: RunSummary
    sites: tuple[SiteView, ...]
    worst: tuple[tuple[SiteView, GroupView], ...]
    """The most serious finding groups of the run."""
    provenance: Provenance
    show_values: bool
    phases: tuple[str, ...] = DEFAULT_PHASES
    """The phase columns: those any site of the run was asked for (:attr:`RunResult.reported_phases`)."""
    phase_titles: dict[str, str] = field(default_factory=lambda: {p: phase_title(p) for p in PHASES})
    phase_short: dict[str, str] = field(default_factory=lambda: dict(PHASE_SHORT))


def _keys(phase: PhaseResult | None, *, trackers_only: bool) -> tuple[set[str], set[str]]:
    """Cookie labels and third-party hosts of a phase (``name (who)``)."""
    if phase is None:
        return set(), set()
    cookies = {
        f"{c.name} ({tracker_name(c)})"
        for c in phase.cookies
        if not trackers_only or (is_tracker(c) and not is_exempt(c))
    }
    hosts = {
        r.host
        for r in phase.requests
        if r.party == "third" and (not trackers_only or (is_tracker(r) and not is_exempt(r)))
    }
    return cookies, hosts


def _unconfirmed(found: Iterable[Gap], *phases: str) -> str | None:
    """Why the evidence of these phases cannot show a clean result (their gaps), else ``None``."""
    details = [g.detail for g in found if g.phase in phases and g.kind != "rule"]
    return "; ".join(details) if details else None


def _tone(bad: bool, unconfirmed: str | None) -> str:
    if bad:
        return "bad"
    return "unknown" if unconfirmed else "good"


def _deltas(site: SiteResult, found: tuple[Gap, ...]) -> tuple[Delta, ...]:
    before, reject, accept = (site.phases.get(p) for p in DEFAULT_PHASES)
    out = []
    if before is not None:
        cookies, hosts = _keys(before, trackers_only=True)
        why = _unconfirmed(found, "before")
        out.append(
            Delta(
                "Trackers before any choice",
                "Tracker cookies and tracker hosts already present on arrival, before the visitor chose anything.",
                tuple(sorted(cookies)),
                tuple(sorted(hosts)),
                _tone(bool(cookies or hosts), why),
                why,
            )
        )
    if reject is not None:
        cookies, hosts = _keys(reject, trackers_only=True)
        why = _unconfirmed(found, "reject")
        out.append(
            Delta(
                "Trackers still active after refusing",
                "Tracker cookies and tracker hosts present after the refusal was clicked (audience measurement "
                "that may be exempt is left out).",
                tuple(sorted(cookies)),
                tuple(sorted(hosts)),
                _tone(bool(cookies or hosts), why),
                why,
            )
        )
    if accept is not None and reject is not None:
        a_cookies, a_hosts = _keys(accept, trackers_only=False)
        r_cookies, r_hosts = _keys(reject, trackers_only=False)
        out.append(
            Delta(
                "Only after accepting",
                "Cookies and third-party hosts that appear after accepting and are absent after refusing: "
                "what the refusal actually turned off.",
                tuple(sorted(a_cookies - r_cookies)),
                tuple(sorted(a_hosts - r_hosts)),
                "neutral",
                _unconfirmed(found, "reject", "accept"),
            )
        )
    return tuple(out)


def _finding_view(f: Finding) -> FindingView:
    s = f.subject
    subject = " · ".join(str(x) for x in (s.name, s.domain, s.url) if x) or "the site"
    cites = tuple(
        tuple((key, text, safe_href(text) if key.endswith("url") else None) for key, text in c.items())
        for c in citations(f.source)
    )
    return FindingView(
        finding=f,
        subject=f"{s.kind}: {subject}",
        phase_title=phase_title(f.phase) if f.phase else "Whole site",
        citations=cites,
        quote=policy_quote(f.source),
        quote_label=quote_label(f.source),
    )


def _group_view(group: FindingGroup) -> GroupView:
    return GroupView(group, tuple(_finding_view(f) for f in group.findings))


def _site_view(index: int, summary: SiteSummary, base: Path | None, show_values: bool) -> SiteView:
    site = summary.site
    banner = next((p.banner for p in (site.phases.get(q) for q in PHASES) if p and p.banner), None)
    banner_images: list[Image] = []
    seen: set[str] = set()
    for p in PHASES:
        phase = site.phases.get(p)
        if phase and phase.banner and phase.banner.screenshot and phase.banner.screenshot not in seen:
            seen.add(phase.banner.screenshot)
            # The banner is shot before the click by the reject context (by the accept one only when the
            # reject context got no picture of it).
            when = "as first shown" if p != "accept" else "in the browser that accepted, before the click"
            image = image_view(f"Consent banner {when}", phase.banner.screenshot, base)
            # Both browsers usually see the same banner: show a picture once.
            if image.data_uri is None or all(image.data_uri != i.data_uri for i in banner_images):
                banner_images.append(image)
    phases = []
    for p in site.requested:
        phase = site.phases.get(p)
        shots = tuple(
            image_view(s.label, s.path, base) for s in (phase.screenshots if phase else ()) if s.path not in seen
        )
        cookies = phase.cookies if phase else ()
        trackers = sorted({tracker_name(c) for c in cookies if is_tracker(c) and not is_exempt(c)}, key=str.lower)
        exempt = sorted({tracker_name(c) for c in cookies if is_tracker(c) and is_exempt(c)}, key=str.lower)
        phases.append(PhaseView(p, phase_title(p), phase, summary.phases[p], shots, tuple(trackers), tuple(exempt)))
    groups, first = request_groups(site)
    refused = tuple(
        (p, h) for p in PHASES for h in (site.phases[p].set_cookie_headers if p in site.phases else ()) if not h.stored
    )
    return SiteView(
        anchor=f"site-{index}",
        summary=summary,
        site=site,
        banner_images=tuple(banner_images),
        banner=banner,
        phases=tuple(phases),
        deltas=_deltas(site, summary.gaps),
        findings=tuple(_finding_view(f) for f in summary.findings),
        groups=tuple(_group_view(g) for g in group_findings(summary.findings)),
        cookies=cookie_rows(site, show_values),
        refused_set_cookies=refused,
        request_groups=groups,
        first_party_requests=first,
        storage=storage_rows(site),
        tcf=tcf_views(site),
    )


def _provenance(run: RunResult, results_path: Path | None) -> Provenance:
    if results_path is not None and results_path.is_file():
        digest = hashlib.sha256(results_path.read_bytes()).hexdigest()
        name = results_path.name
    else:
        digest = hashlib.sha256(dumps_run(run).encode("utf-8")).hexdigest()
        name = "results.json (canonical form, rendered from memory)"
    items = [
        ("Tool", f"{run.tool.name} {run.tool.version}"),
        ("Browser", run.browser.version or "unknown"),
        ("User agent", run.browser.user_agent or "unknown"),
        ("Browser executable", run.browser.executable or "unknown"),
        ("Command", shlex.join(run.arguments) if run.arguments else "not recorded"),
        ("Started", run.started),
        ("Finished", run.finished or "not finished"),
        ("Rule packs", ", ".join(run.rule_packs) or "none recorded"),
        ("Options", ", ".join(f"{k}={v}" for k, v in sorted(run.options.items())) or "defaults"),
        ("Results schema version", str(run.schema_version)),
    ]
    return Provenance(tuple(items), digest, name)


def build_report(run: RunResult, options: RenderOptions) -> ReportView:
    """The view model of the report (exposed for tests and for other HTML outputs)."""
    summary = summarise(run)
    base = options.results_path.parent if options.results_path is not None else None
    order = sorted(range(len(summary.sites)), key=lambda i: summary.sites[i].verdict.rank)
    views = tuple(_site_view(i + 1, summary.sites[i], base, options.show_values) for i in order)
    by_site = {id(v.site): v for v in views}
    worst = tuple((by_site[id(s.site)], _group_view(g)) for s, g in worst_groups(summary, 10))
    return ReportView(
        run=run,
        summary=summary,
        sites=views,
        worst=worst,
        provenance=_provenance(run, options.results_path),
        show_values=options.show_values,
        phases=run.reported_phases,
    )


def render_html(run: RunResult, options: RenderOptions | None = None) -> str:
    """The HTML report of ``run``."""
    view = build_report(run, options or RenderOptions())
    return render_template("report.html.j2", report=view)


class HtmlFormatter(Formatter):
    """The self-contained HTML evidence report."""

    format = Format.HTML
    file_name = "report.html"
    media_type = "text/html"

    def render(self, run: RunResult, options: RenderOptions) -> str:
        """Return the HTML document."""
        return render_html(run, options)


FORMATTER = HtmlFormatter()
