"""The runner without a browser: retries, the browser pool's restarts and memory gate, journal and resume."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest

from auditor.browser.session import BrowserSession
from auditor.config import AuditOptions, SiteConfig
from auditor.model import BrowserInfo, SiteResult
from auditor.results import JOURNAL_FILE, RESULTS_FILE, read_results
from auditor.run import (
    AuditPlan,
    BrowserPool,
    RunBook,
    audit_site,
    default_concurrency,
    iter_run_sites,
    memory,
    parse_memory,
    scan_journal,
)
from auditor.run import site as site_module
from auditor.run.memory import MemoryGauge
from auditor.run.site import retryable


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries without waiting."""
    monkeypatch.setattr(site_module, "RETRY_BACKOFF", 0.0)


class FakeBrowser:
    def __init__(self) -> None:
        self.connected = True

    def is_connected(self) -> bool:
        return self.connected


class FakeSession:
    """Stands in for :class:`BrowserSession`: start/close and a browser that can 'crash'."""

    launched: ClassVar[list[FakeSession]] = []

    def __init__(self, options: AuditOptions) -> None:
        self.options = options
        self.browser = FakeBrowser()
        self.info = BrowserInfo(version="fake")
        self.closed = False

    async def start(self) -> None:
        FakeSession.launched.append(self)

    async def close(self) -> None:
        self.closed = True
        self.browser.connected = False


def fake_factory(options: AuditOptions) -> BrowserSession:
    return FakeSession(options)  # type: ignore[return-value]


@pytest.fixture(autouse=True)
def reset_launched() -> None:
    FakeSession.launched = []


def ok(site: SiteConfig) -> SiteResult:
    return SiteResult(url=site.url, status="ok")


def plan_for(tmp_path: Path, n: int = 3, **kwargs: Any) -> AuditPlan:
    sites = tuple(SiteConfig(url=f"https://www.site-{i}.fr/") for i in range(n))
    options = kwargs.pop("options", AuditOptions(retries=1))
    return AuditPlan(sites=sites, options=options, out_dir=tmp_path, arguments=("test",), **kwargs)


def scripted(outcomes: list[str | None]) -> Callable[..., Any]:
    """A collector returning, attempt after attempt, an error (the string) or success (None)."""
    calls = iter(outcomes)

    async def collect(session: BrowserSession, site: SiteConfig, out: Path) -> SiteResult:
        error = next(calls)
        if error is None:
            return ok(site)
        return SiteResult(url=site.url, status="error", error=error)

    return collect


# --- sizes and defaults ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mib"),
    [("1500", 1500), ("1500M", 1500), ("800MB", 800), ("1.5G", 1536), ("2GiB", 2048), ("1T", 1024**2)],
)
def test_parse_memory(text: str, mib: int) -> None:
    assert parse_memory(text) == mib


@pytest.mark.parametrize("text", ["", "lots", "-1G", "0", "1.5X"])
def test_parse_memory_rejects_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="invalid memory size"):
        parse_memory(text)


def test_default_concurrency_follows_cores_and_memory() -> None:
    assert default_concurrency(100_000, cores=2) == 2 * memory.SITES_PER_CORE
    assert default_concurrency(100_000, cores=64) == memory.MAX_DEFAULT_CONCURRENCY
    small = memory.BROWSER_BASE_MB + 2 * memory.SITE_MB
    assert default_concurrency(small, cores=8) == 2
    assert default_concurrency(10, cores=8) == 1


def test_retryable_failures() -> None:
    assert retryable("connection reset by the server (ERR_CONNECTION_RESET)")
    assert retryable("HTTP 503 Service Unavailable")
    assert retryable("accept context failed: HTTP 503 Service Unavailable")
    assert not retryable("accept context failed: HTTP 404 Not Found")
    assert not retryable("the audit of the site timed out after 200 s")  # a stuck page stays stuck
    assert not retryable("HTTP 500 Internal Server Error")
    assert not retryable("DNS lookup failed: the host name does not resolve (ERR_NAME_NOT_RESOLVED)")
    assert not retryable(None)


# --- audit_site: retries and attempts -------------------------------------------------------------------


def run_site(plan: AuditPlan, collect: Callable[..., Any], pool: BrowserPool | None = None) -> SiteResult:
    async def go() -> SiteResult:
        the_pool = pool or BrowserPool(plan.options, concurrency=2, session_factory=fake_factory)
        try:
            return await audit_site(the_pool, plan.sites[0], plan, collect=collect)
        finally:
            await the_pool.close()

    return asyncio.run(go())


def test_transient_failure_is_retried_and_attempts_recorded(tmp_path: Path) -> None:
    result = run_site(plan_for(tmp_path), scripted(["connection reset by the server (ERR_CONNECTION_RESET)", None]))
    assert result.status == "ok"
    assert result.attempts == 2


def test_retries_are_bounded(tmp_path: Path) -> None:
    reset = "connection reset by the server (ERR_CONNECTION_RESET)"
    plan = plan_for(tmp_path, options=AuditOptions(retries=2))
    result = run_site(plan, scripted([reset, reset, reset, None]))
    assert result.status == "error"
    assert result.attempts == 3


def test_permanent_failure_is_not_retried(tmp_path: Path) -> None:
    result = run_site(plan_for(tmp_path), scripted(["HTTP 404 Not Found", None]))
    assert (result.status, result.attempts, result.error) == ("error", 1, "HTTP 404 Not Found")


def test_internal_error_costs_one_site_not_the_run(tmp_path: Path) -> None:
    async def broken(session: BrowserSession, site: SiteConfig, out: Path) -> SiteResult:
        raise KeyError("oops")

    result = run_site(plan_for(tmp_path), broken)
    assert result.status == "error"
    assert result.error is not None and result.error.startswith("internal error: KeyError")


def test_postprocess_failure_keeps_the_evidence(tmp_path: Path) -> None:
    def bad(site: SiteResult) -> SiteResult:
        raise ValueError("rules exploded")

    plan = plan_for(tmp_path, postprocess=bad)
    result = run_site(plan, scripted([None]))
    assert result.status == "error"
    assert result.error == "post-processing failed: ValueError: rules exploded"


def test_browser_crash_is_retried_in_a_fresh_browser(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, options=AuditOptions(retries=0))
    calls = 0

    async def crashing(session: BrowserSession, site: SiteConfig, out: Path) -> SiteResult:
        nonlocal calls
        calls += 1
        if calls == 1:
            session.browser.connected = False  # type: ignore[attr-defined]
            return SiteResult(url=site.url, status="error", error="Target page, context or browser has been closed")
        return ok(site)

    pool = BrowserPool(plan.options, concurrency=1, session_factory=fake_factory)
    result = run_site(plan, crashing, pool)
    assert result.status == "ok"
    assert result.attempts == 2  # a crash gets a retry even with retries=0
    assert len(FakeSession.launched) == 2
    assert pool.crashes == 1 and pool.restarts == 1


def test_a_browser_that_cannot_start_fails_the_site_not_the_run(tmp_path: Path) -> None:
    class Unlaunchable(FakeSession):
        async def start(self) -> None:
            raise OSError("out of memory")

    plan = plan_for(tmp_path)
    pool = BrowserPool(plan.options, concurrency=1, session_factory=Unlaunchable)  # type: ignore[arg-type]
    result = run_site(plan, scripted([None, None]), pool)
    assert result.status == "error"
    assert result.error == "the browser could not be started: OSError: out of memory"
    assert result.attempts == 2


# --- the browser pool -----------------------------------------------------------------------------------


def test_pool_restarts_the_browser_after_n_sites_never_two_at_once() -> None:
    async def go() -> tuple[int, int, list[bool]]:
        pool = BrowserPool(AuditOptions(), concurrency=3, restart_after=4, session_factory=fake_factory)
        live: list[int] = []
        peak = 0

        async def one() -> None:
            nonlocal peak
            async with pool.lease():
                live.append(1)
                peak = max(peak, sum(not s.closed for s in FakeSession.launched))
                await asyncio.sleep(0)
                live.pop()

        await asyncio.gather(*(one() for _ in range(10)))
        await pool.close()
        return pool.restarts, peak, [s.closed for s in FakeSession.launched]

    restarts, peak, closed = asyncio.run(go())
    assert restarts == 2  # 10 sites, 4 per browser: 3 browsers
    assert peak == 1
    assert all(closed)


def test_a_closed_pool_launches_no_browser() -> None:
    async def go() -> None:
        pool = BrowserPool(AuditOptions(), concurrency=1, session_factory=fake_factory)
        await pool.start()
        await pool.close()
        with pytest.raises(RuntimeError, match="closed"):
            async with pool.lease():
                pass

    asyncio.run(go())
    assert len(FakeSession.launched) == 1


def test_pool_bounds_concurrency() -> None:
    async def go() -> int:
        pool = BrowserPool(AuditOptions(), concurrency=2, session_factory=fake_factory)
        active = peak = 0
        gate = asyncio.Event()

        async def one() -> None:
            nonlocal active, peak
            async with pool.lease():
                active += 1
                peak = max(peak, active)
                if peak >= 2:
                    gate.set()
                await gate.wait()
                active -= 1

        await asyncio.gather(*(one() for _ in range(6)))
        await pool.close()
        return peak

    assert asyncio.run(go()) == 2


def test_memory_gate_holds_new_sites_while_over_budget() -> None:
    """Over budget, a new site waits for a running one to finish (and memory to drop)."""
    usage = {"mb": 100.0}
    gauge = MemoryGauge(interval=0.0, reader=lambda: usage["mb"])

    async def go() -> list[str]:
        pool = BrowserPool(
            AuditOptions(), concurrency=4, memory_budget_mb=1000, gauge=gauge, session_factory=fake_factory
        )
        events: list[str] = []
        first_in = asyncio.Event()
        release_first = asyncio.Event()

        async def first() -> None:
            async with pool.lease():
                events.append("first in")
                usage["mb"] = 2000.0  # the first site made memory grow past the budget
                first_in.set()
                await release_first.wait()
                usage["mb"] = 100.0
                events.append("first out")

        async def second() -> None:
            await first_in.wait()
            task = asyncio.ensure_future(enter())
            for _ in range(50):  # let the event loop run: a broken gate would let it in at once
                await asyncio.sleep(0)
            events.append("release")
            release_first.set()
            await task

        async def enter() -> None:
            async with pool.lease():
                events.append("second in")

        await asyncio.gather(first(), second())
        await pool.close()
        return events

    assert asyncio.run(go()) == ["first in", "release", "first out", "second in"]


# --- journal, resume, streaming ---------------------------------------------------------------------


def test_runbook_resume_skips_finished_sites_and_counts_them(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, n=3)
    with RunBook(plan) as book:
        book.record(ok(plan.sites[0]))
        book.record(SiteResult(url=plan.sites[1].url, status="error", error="HTTP 500"))
    resumed = RunBook(AuditPlan(**{**plan.__dict__, "resume": True}))
    assert [s.url for s in resumed.todo] == [plan.sites[2].url]
    assert (resumed.summary.resumed, resumed.summary.ok, resumed.summary.failed) == (2, 1, 1)
    resumed.record(ok(plan.sites[2]))
    summary = resumed.close()
    assert (summary.ok, summary.failed, summary.missing) == (2, 1, 0)
    run = read_results(tmp_path / RESULTS_FILE)
    assert [s.url for s in run.sites] == [s.url for s in plan.sites]


def test_resume_evaluates_saved_evidence_again_with_the_current_packs(tmp_path: Path) -> None:
    from auditor.model import Finding, Subject

    plan = plan_for(tmp_path, n=2)
    with RunBook(plan) as book:
        book.record(ok(plan.sites[0]))
        book.record(SiteResult(url=plan.sites[1].url, status="error", error="HTTP 500"))
    new_rule = Finding("new-rule", "error", None, Subject("site"), "found by the new pack")

    def new_packs(site: SiteResult) -> SiteResult:
        return dataclasses.replace(site, findings=(new_rule,), rule_packs=("new",), rules=("new-rule",))

    resumed = RunBook(AuditPlan(**{**plan.__dict__, "resume": True, "postprocess": new_packs}))
    assert resumed.todo == []  # nothing to audit: no browser needed
    resumed.close()
    run = read_results(tmp_path / RESULTS_FILE)
    assert run.sites[0].findings == (new_rule,) and run.sites[0].rule_packs == ("new",)
    assert run.sites[1].status == "error" and run.sites[1].findings == ()  # no evidence to evaluate
    lines = (tmp_path / JOURNAL_FILE).read_text(encoding="utf-8").count("\n")
    again = RunBook(AuditPlan(**{**plan.__dict__, "resume": True, "postprocess": new_packs}))
    again.close()
    assert (tmp_path / JOURNAL_FILE).read_text(encoding="utf-8").count("\n") == lines  # unchanged: not rewritten


def test_retry_failed_audits_the_failed_sites_again_and_keeps_the_others(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, n=3)
    with RunBook(plan) as book:
        book.record(ok(plan.sites[0]))
        book.record(SiteResult(url=plan.sites[1].url, status="error", error="HTTP 500"))
    retry = RunBook(AuditPlan(**{**plan.__dict__, "retry_failed": True}))
    assert [s.url for s in retry.todo] == [plan.sites[1].url, plan.sites[2].url]
    assert (retry.summary.resumed, retry.summary.ok, retry.summary.failed) == (1, 1, 0)
    retry.record(ok(plan.sites[1]))
    retry.record(ok(plan.sites[2]))
    summary = retry.close()
    assert (summary.ok, summary.failed, summary.missing) == (3, 0, 0)
    assert [s.status for s in read_results(tmp_path / RESULTS_FILE).sites] == ["ok", "ok", "ok"]


def test_runbook_without_resume_starts_a_fresh_journal(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, n=2)
    with RunBook(plan) as book:
        book.record(ok(plan.sites[0]))
    fresh = RunBook(plan)
    assert len(fresh.todo) == 2
    fresh.close()
    assert read_results(tmp_path).sites == ()


def test_runbook_touches_nothing_until_the_run_begins(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, n=2)
    with RunBook(plan) as book:
        book.record(ok(plan.sites[0]))
    before = (tmp_path / JOURNAL_FILE).read_text(encoding="utf-8")
    RunBook(plan)  # e.g. the browser then fails to start: the previous run's journal stays
    assert (tmp_path / JOURNAL_FILE).read_text(encoding="utf-8") == before


def test_interrupted_run_keeps_finished_sites(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, n=3)
    with pytest.raises(KeyboardInterrupt), RunBook(plan) as book:
        book.record(ok(plan.sites[0]))
        raise KeyboardInterrupt
    assert book.summary.interrupted
    assert [s.url for s in read_results(tmp_path).sites] == [plan.sites[0].url]


def test_truncated_journal_line_is_ignored(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, n=2)
    with RunBook(plan) as book:
        book.record(ok(plan.sites[0]))
    with (tmp_path / JOURNAL_FILE).open("a", encoding="utf-8") as fh:
        fh.write('{"url": "https://www.site-1.fr/", "sta')  # a crash mid-write
    assert scan_journal(tmp_path / JOURNAL_FILE) == {plan.sites[0].url: "ok"}
    assert [s.url for s in iter_run_sites(tmp_path / JOURNAL_FILE)] == [plan.sites[0].url]


def test_iter_run_sites_keeps_the_last_result_of_a_site(tmp_path: Path) -> None:
    journal = tmp_path / JOURNAL_FILE
    lines = [
        {"url": "https://a.fr/", "status": "error", "error": "x"},
        {"url": "https://b.fr/", "status": "ok"},
        {"url": "https://a.fr/", "status": "ok"},
    ]
    journal.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    sites = list(iter_run_sites(journal, order=["https://b.fr/"]))
    assert [(s.url, s.status) for s in sites] == [("https://b.fr/", "ok"), ("https://a.fr/", "ok")]


def test_observer_failure_does_not_stop_the_run(tmp_path: Path) -> None:
    class Broken:
        def run_started(self, total: int, resumed: int) -> None:
            pass

        def site_finished(self, result: SiteResult) -> None:
            raise RuntimeError("display broke")

        def note(self, message: str) -> None:
            pass

    plan = plan_for(tmp_path, n=1)
    with RunBook(plan, Broken()) as book:
        book.record(ok(plan.sites[0]))
    assert book.summary.ok == 1


# --- progress display ---------------------------------------------------------------------------------


def test_plain_progress_prints_one_line_per_site() -> None:
    import io

    from auditor.cli.progress import PlainProgress, make_progress

    stream = io.StringIO()
    assert isinstance(make_progress(stream), PlainProgress)  # not a terminal: plain lines
    with PlainProgress(stream) as progress:
        progress.run_started(3, 1)
        progress.site_finished(SiteResult(url="https://a.fr/", status="ok"))
        progress.site_finished(SiteResult(url="https://b.fr/", status="error", error="HTTP 500", attempts=2))
        progress.note("browser restarted")
    lines = stream.getvalue().splitlines()
    assert lines == [
        "  resuming: 1 of 3 site(s) already done, 2 to go",
        "  https://a.fr/  ok",
        "  https://b.fr/  error: HTTP 500 (after 2 attempts)",
        "  note: browser restarted",
    ]


def test_live_progress_shows_counts_rate_and_failures() -> None:
    import io

    from rich.console import Console

    from auditor.cli.progress import LiveProgress, format_duration

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120, color_system=None)
    with LiveProgress(console) as progress:
        progress.run_started(4, 0)
        progress.site_finished(SiteResult(url="https://a.fr/", status="ok"))
        progress.site_finished(SiteResult(url="https://b.fr/", status="error", error="DNS lookup failed"))
    text = out.getvalue()
    assert "https://b.fr/  error: DNS lookup failed" in text
    assert "https://a.fr/" not in text  # successes only advance the bar
    assert "2/4" in text and "1 ok · 1 failed" in text and "sites/min" in text
    assert (format_duration(5), format_duration(125), format_duration(3725)) == ("5s", "2m05s", "1h02m")


# --- large runs: the CLI's verdict streams the journal ---------------------------------------------------


def test_streamed_verdict_matches_exit_code_precedence(tmp_path: Path) -> None:
    from auditor.cli.app import ExitCode
    from auditor.cli.audit import _streamed_verdict
    from auditor.model import ConsentAction, Finding, PhaseResult, Subject

    def finding(severity: str) -> Finding:
        return Finding(rule="r", severity=severity, phase="before", subject=Subject(kind="cookie"), message="m")  # type: ignore[arg-type]

    def verdict(sites: list[SiteResult], fail_on: str = "error") -> ExitCode:
        plan = AuditPlan(
            sites=tuple(SiteConfig(url=s.url) for s in sites), options=AuditOptions(), out_dir=tmp_path, arguments=()
        )
        with RunBook(plan) as book:
            for site in sites:
                book.record(site)
        return _streamed_verdict(book.summary, fail_on)

    def complete(url: str, *findings: Finding) -> SiteResult:
        phases = {
            p: PhaseResult(
                name=p,
                status="ok",
                consent=None if p == "before" else ConsentAction(action=p, clicked=True, effect="confirmed"),
            )
            for p in ("before", "reject", "accept")
        }
        return SiteResult(url=url, status="ok", phases=phases, findings=findings)  # type: ignore[arg-type]

    clean = [complete(f"https://s{i}.fr/") for i in range(300)]
    assert verdict(clean) == ExitCode.OK
    warned = [*clean[:-1], complete("https://w.fr/", finding("warning"))]
    assert verdict(warned) == ExitCode.OK
    assert verdict(warned, fail_on="warning") == ExitCode.FINDINGS
    incomplete = [*clean[:-1], SiteResult(url="https://p.fr/", status="ok")]  # no phase at all
    assert verdict(incomplete) == ExitCode.SITE_FAILED
    failed = [*warned, SiteResult(url="https://x.fr/", status="error", error="DNS")]
    assert verdict(failed, fail_on="warning") == ExitCode.SITE_FAILED


def test_cli_keeps_the_audit_and_demo_commands() -> None:
    from auditor.cli import app

    names = {
        command.name or (command.callback.__name__ if command.callback else "") for command in app.registered_commands
    }
    assert {"audit", "demo"} <= names


def test_results_record_the_threshold_of_the_plan(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, n=1, fail_on="warning")
    with RunBook(plan) as book:
        book.record(ok(plan.sites[0]))
    assert read_results(tmp_path / RESULTS_FILE).fail_on == "warning"  # also for runs too large to load whole
