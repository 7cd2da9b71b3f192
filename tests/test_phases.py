"""Extra phases without a browser: --phases parsing, the unit registry, verdict gaps, reports, compare, diff."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from types import SimpleNamespace

import pytest

from auditor.browser import collect
from auditor.browser.phases import UNITS, SiteState, units_for
from auditor.config import AuditOptions, SiteConfig, parse_phases
from auditor.diffing import diff_sites
from auditor.formats import Format, render
from auditor.formats.compare import build_comparison
from auditor.model import (
    DEFAULT_PHASES,
    PHASES,
    BrowserInfo,
    ConsentAction,
    PhaseResult,
    RunResult,
    SiteResult,
    ToolInfo,
)
from auditor.verdict import Verdict, gaps, site_verdict
from auditor.yamlutil import ConfigError

ALL = ("before", "reject", "accept", "ignore", "gpc")


def phase(name: str, **kw: object) -> PhaseResult:
    if name in ("reject", "accept") and "consent" not in kw:
        label = "Tout refuser" if name == "reject" else "Tout accepter"
        kw["consent"] = ConsentAction(action=name, clicked=True, label=label, effect="confirmed")  # type: ignore[arg-type]
    kw.setdefault("status", "ok")
    return PhaseResult(name=name, **kw)  # type: ignore[arg-type]


def site(names: tuple[str, ...], requested: tuple[str, ...] = (), **replaced: PhaseResult) -> SiteResult:
    phases = {n: replaced.get(n, phase(n)) for n in names}
    return SiteResult(
        url="https://www.example.fr/",
        status="ok",
        phases=phases,
        phases_requested=requested,  # type: ignore[arg-type]
        rules=("r",),
    )


def run_of(*sites: SiteResult) -> RunResult:
    return RunResult(
        tool=ToolInfo("consent-audit", "0"),
        browser=BrowserInfo(),
        started="2026-01-01T00:00:00Z",
        finished="2026-01-01T00:01:00Z",
        arguments=("consent-audit", "audit"),
        sites=sites,
        rules=("r",),
    )


@pytest.mark.parametrize(
    ("text", "phases"),
    [
        ("before,reject,accept", DEFAULT_PHASES),
        ("gpc, ignore", ("before", "reject", "ignore", "gpc")),  # before and reject always; report order
        ("accept,ignore,accept", ("before", "reject", "accept", "ignore")),
    ],
)
def test_parse_phases(text: str, phases: tuple[str, ...]) -> None:
    assert parse_phases(text) == phases


def test_parse_phases_names_unknown_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown phase\(s\) scroll: choose among before, reject, accept"):
        parse_phases("before,scroll")


def test_units_are_data_and_cover_each_phase_once() -> None:
    produced = [p for u in UNITS for p in u.produces]
    assert len(produced) == len(set(produced))
    assert set(produced) <= set(PHASES)
    assert [u.produces for u in units_for(DEFAULT_PHASES)] == [("before", "reject"), ("accept",)]
    assert [u.produces for u in units_for(("before", "reject", "gpc"))] == [("before", "reject"), ("gpc",)]


def test_a_requested_extra_phase_missing_or_failed_is_a_gap() -> None:
    complete = site(ALL, ALL)
    assert gaps(complete) == ()
    missing = site(DEFAULT_PHASES, ALL)
    assert [(g.kind, g.phase) for g in gaps(missing)] == [("phase-missing", "ignore"), ("phase-missing", "gpc")]
    assert site_verdict(missing) is Verdict.INCOMPLETE
    failed = site(ALL, ALL, gpc=phase("gpc", status="error", error="browser failure: crashed"))
    assert [(g.kind, g.phase) for g in gaps(failed)] == [("phase-failed", "gpc")]


def test_a_phase_not_requested_is_not_a_gap() -> None:
    assert gaps(site(DEFAULT_PHASES)) == ()  # older results: no phases_requested, the default three
    assert gaps(site(DEFAULT_PHASES, DEFAULT_PHASES)) == ()


def test_extra_phases_need_no_click() -> None:
    s = site(ALL, ALL)
    assert all(s.phases[p].consent is None for p in ("ignore", "gpc"))
    assert not [g for g in gaps(s) if g.kind == "consent"]


def test_html_and_markdown_show_the_requested_phases_only() -> None:
    extra = render(run_of(site(ALL, ALL)), Format.HTML)
    assert ">ignored</th>" in extra and ">GPC</th>" in extra
    assert "Banner ignored" in extra and "With GPC signal" in extra
    default = render(run_of(site(DEFAULT_PHASES)), Format.HTML)
    assert ">ignored</th>" not in default and ">refused</th>" in default
    markdown = render(run_of(site(ALL, ALL)), Format.MARKDOWN)
    assert "before / reject / accept / ignore / gpc" in markdown


def test_compare_charts_and_table_follow_the_runs_phases() -> None:
    comparison = build_comparison([("old", run_of(site(DEFAULT_PHASES))), ("new", run_of(site(ALL, ALL)))])
    assert comparison.phases == ALL
    assert all(len(r.bars) == len(ALL) for c in comparison.charts() for r in c.rows)
    header = comparison.to_csv().splitlines()[0].split(",")
    assert "tracker_cookies_ignore" in header and "tracker_cookies_gpc" in header  # every known phase: stable columns
    only_default = build_comparison([("old", run_of(site(DEFAULT_PHASES)))])
    assert only_default.phases == DEFAULT_PHASES


def test_diff_says_a_phase_no_longer_requested_lost_its_evaluation() -> None:
    old, new = site(ALL, ALL), site(DEFAULT_PHASES, DEFAULT_PHASES)
    d = diff_sites(old, new)
    assert [(g.kind, g.phase) for g in d.gaps_added] == [("phase-missing", "ignore"), ("phase-missing", "gpc")]
    assert [p.phase for p in d.phases] == list(ALL)
    assert not [p for p in d.phases if p.phase == "ignore" and p.comparable]
    same = diff_sites(old, dataclasses.replace(old))
    assert same.gaps_added == ()


def test_cli_refuses_an_unknown_phase_before_any_browser_starts(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from auditor.cli.app import ExitCode, app

    result = CliRunner().invoke(
        app, ["audit", "--phases", "before,retract", "--out", str(tmp_path / "out"), "https://www.example.fr/"]
    )
    assert result.exit_code == ExitCode.USAGE
    assert "unknown phase(s) retract: choose among before, reject, accept, ignore, gpc, withdraw" in result.output
    assert not (tmp_path / "out").exists()


@dataclasses.dataclass(frozen=True)
class _Meeting:
    """A fake unit that records its phase only once the other fake unit has started too: run one after
    the other, the two would wait for each other forever (the test's timeout says so)."""

    name: str
    mine: asyncio.Event
    other: asyncio.Event

    @property
    def produces(self) -> tuple[str, ...]:
        return (self.name,)

    async def collect(self, collector: object, state: SiteState) -> None:
        self.mine.set()
        await self.other.wait()
        state.phases[self.name] = PhaseResult(name=self.name, status="ok")  # type: ignore[arg-type]


@dataclasses.dataclass(frozen=True)
class _First:
    produces: tuple[str, ...] = ("before", "reject")

    async def collect(self, collector: object, state: SiteState) -> None:
        state.phases["before"] = PhaseResult(name="before", status="ok")
        state.phases["reject"] = PhaseResult(name="reject", status="ok")


def test_units_after_the_reject_unit_run_concurrently(monkeypatch: pytest.MonkeyPatch) -> None:
    async def run() -> SiteResult:
        gpc_started, ignore_started = asyncio.Event(), asyncio.Event()
        units = (
            _First(),
            _Meeting("ignore", ignore_started, gpc_started),
            _Meeting("gpc", gpc_started, ignore_started),
        )
        monkeypatch.setattr(collect, "units_for", lambda phases: units)
        session = SimpleNamespace(options=AuditOptions(phases=("before", "reject", "ignore", "gpc")))
        collector = collect.SiteCollector(session, SiteConfig(url="https://www.example.fr/"), Path("."))  # type: ignore[arg-type]
        return await asyncio.wait_for(collector.run(), timeout=30)

    site = asyncio.run(run())
    assert site.status == "ok"
    # whichever context ended first, the phases are listed in the units' order
    assert list(site.phases) == ["before", "reject", "ignore", "gpc"]
