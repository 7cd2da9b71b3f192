"""Baseline files: findings a team has accepted (with a reason) so CI can gate on new ones only.

::

    accepted:
      - rule: cnil-tracker-lifetime          # exact id or glob
        site: www.example.fr                 # host (glob ok) or the audited URL
        phase: accept                        # optional
        name: "_ga*"                         # optional, subject name (glob, case-sensitive)
        domain: "*.example.fr"               # optional, subject domain (glob, case-insensitive)
        reason: "Analytics migration tracked in JIRA-123"
        expires: 2026-06-30                  # optional: after this date the entry no longer applies

A finding matched by an entry keeps being reported, with ``Finding.baseline`` set to the reason;
it does not fail CI. An entry accepts a violation (outcome ``fail``) only: a rule that could not be
evaluated (outcome ``error``) is never accepted — an accepted violation must not hide that the
check did not run this time (fix the audit instead). An entry that matches no finding of a site
that was fully evaluated for its rule is reported as *fixed* (time to delete it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.model import Finding, RunResult, SiteResult
from auditor.party import host_of
from auditor.yamlutil import ConfigError, load_yaml, validate

BASELINE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "consent-auditor baseline of accepted findings",
    "type": "object",
    "additionalProperties": False,
    "required": ["accepted"],
    "properties": {
        "accepted": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["rule", "reason"],
                "properties": {
                    "rule": {"type": "string", "minLength": 1},
                    "site": {"type": "string", "minLength": 1},
                    "phase": {"enum": ["before", "reject", "accept"]},
                    "name": {"type": "string", "minLength": 1},
                    "domain": {"type": "string", "minLength": 1},
                    "reason": {"type": "string", "minLength": 1},
                    "expires": {},
                },
            },
        }
    },
}


@dataclass(frozen=True)
class BaselineEntry:
    """One accepted finding pattern."""

    rule: str
    reason: str
    site: str | None = None
    phase: str | None = None
    name: str | None = None
    domain: str | None = None
    expires: dt.date | None = None
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        parts = [self.rule]
        if self.site:
            parts.append(f"on {self.site}")
        if self.phase:
            parts.append(f"[{self.phase}]")
        subject = " ".join(x for x in (self.name, f"@{self.domain}" if self.domain else None) if x)
        if subject:
            parts.append(subject)
        return f"{' '.join(parts)} ({self.where()}: {self.reason})"

    def where(self) -> str:
        """``file:line`` of the entry, for messages."""
        return f"{self.file}:{self.line}" if self.file and self.line else (self.file or "baseline")

    def expired(self, today: dt.date) -> bool:
        """Whether the entry's ``expires`` date has passed."""
        return self.expires is not None and today > self.expires

    def matches_site(self, site: SiteResult) -> bool:
        """Whether the entry is about this site (any site when ``site`` is not given)."""
        if self.site is None:
            return True
        pattern = self.site.lower()
        if "://" in pattern:
            return pattern.rstrip("/") in {u.lower().rstrip("/") for u in (site.url, site.final_url) if u}
        hosts = {host_of(u) for u in (site.url, site.final_url) if u}
        return any(fnmatch.fnmatchcase(h, pattern) for h in hosts)

    def matches(self, finding: Finding) -> bool:
        """Whether the entry accepts this finding (site already matched): a violation, never a not-evaluated one."""
        if finding.outcome != "fail":
            return False
        if not fnmatch.fnmatchcase(finding.rule, self.rule):
            return False
        if self.phase is not None and finding.phase != self.phase:
            return False
        if self.name is not None and not fnmatch.fnmatchcase(finding.subject.name or "", self.name):
            return False
        if self.domain is not None:
            domain = (finding.subject.domain or "").lstrip(".").lower()
            if not fnmatch.fnmatchcase(domain, self.domain.lstrip(".").lower()):
                return False
        return True


@dataclass(frozen=True)
class Baseline:
    """A loaded baseline file."""

    entries: tuple[BaselineEntry, ...]
    file: str | None = None

    def expired(self, today: dt.date | None = None) -> tuple[BaselineEntry, ...]:
        """Entries whose ``expires`` date has passed (they no longer accept anything)."""
        day = today or dt.date.today()
        return tuple(e for e in self.entries if e.expired(day))


def _date(value: Any, file: str, line: int | None) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(f"expires: expected a date YYYY-MM-DD, got {value!r}", file=file, line=line)


def load_baseline(path: str | Path) -> Baseline:
    """Load and validate a baseline YAML file; problems raise :class:`~auditor.yamlutil.ConfigError`."""
    loaded = load_yaml(path)
    if loaded.data is None:
        return Baseline((), loaded.file)
    validate(loaded, BASELINE_SCHEMA)
    entries = []
    for i, raw in enumerate(loaded.data["accepted"]):
        line = loaded.line_of(("accepted", i))
        entries.append(
            BaselineEntry(
                rule=raw["rule"],
                reason=raw["reason"],
                site=raw.get("site"),
                phase=raw.get("phase"),
                name=raw.get("name"),
                domain=raw.get("domain"),
                expires=_date(raw.get("expires"), loaded.file, loaded.line_of(("accepted", i, "expires"))),
                file=loaded.file,
                line=line,
            )
        )
    return Baseline(tuple(entries), loaded.file)


def _evaluated_for(entry: BaselineEntry, site: SiteResult) -> bool:
    """Whether the site's evidence lets us say the entry's finding is gone (not merely unverifiable)."""
    if site.status != "ok":
        return False
    for f in site.findings:
        if f.outcome == "error" and fnmatch.fnmatchcase(f.rule, entry.rule) and (entry.phase in (None, f.phase)):
            return False
    return True


def apply_baseline(
    run: RunResult, baseline: Baseline, today: dt.date | None = None
) -> tuple[RunResult, tuple[BaselineEntry, ...]]:
    """Mark accepted findings (``Finding.baseline`` = reason) and list the entries that are fixed.

    An entry is *fixed* when it is not expired, names a site present in the run (or no site), that
    site was audited and the entry's rule was evaluated there, and no finding matched it.
    Expired entries accept nothing (see :meth:`Baseline.expired`).
    """
    day = today or dt.date.today()
    active = [e for e in baseline.entries if not e.expired(day)]
    used: set[int] = set()
    seen_sites: dict[int, list[SiteResult]] = {i: [] for i in range(len(active))}
    sites = []
    for site in run.sites:
        site_entries = [(i, e) for i, e in enumerate(active) if e.matches_site(site)]
        for i, _e in site_entries:
            seen_sites[i].append(site)
        findings = []
        for finding in site.findings:
            accepted = None
            for i, entry in site_entries:
                if entry.matches(finding):
                    used.add(i)
                    accepted = accepted or entry.reason
            findings.append(dataclasses.replace(finding, baseline=accepted) if accepted else finding)
        sites.append(dataclasses.replace(site, findings=tuple(findings)))
    fixed = tuple(
        e
        for i, e in enumerate(active)
        if i not in used and seen_sites[i] and all(_evaluated_for(e, s) for s in seen_sites[i])
    )
    return dataclasses.replace(run, sites=tuple(sites)), fixed


def baseline_from_findings(sites: Iterable[SiteResult], reason: str) -> str:
    """A baseline YAML text accepting every current ``fail`` finding (to adopt the tool on a site)."""
    import yaml

    entries = []
    for site in sites:
        for f in site.findings:
            if f.outcome != "fail" or f.baseline:
                continue
            entry: dict[str, Any] = {"rule": f.rule, "site": host_of(site.url) or site.url}
            if f.phase:
                entry["phase"] = f.phase
            if f.subject.name:
                entry["name"] = f.subject.name
            if f.subject.domain:
                entry["domain"] = f.subject.domain.lstrip(".")
            entry["reason"] = reason
            if entry not in entries:
                entries.append(entry)
    return str(yaml.safe_dump({"accepted": entries}, sort_keys=False, allow_unicode=True))
