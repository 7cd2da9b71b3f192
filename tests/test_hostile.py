"""The hostile web (issue 17): a stuck page costs its site a bounded time, and every failure is explained.

The unit tests drive :func:`audit_site` with collectors that never return (the fake browser of
``test_runner``); the browser test audits the hostile pages of the fixture web beside a healthy site
in one run: each ends with its own reason and the healthy site is audited in full.
"""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import fixtureweb_hostile as hostile
import pytest
from test_runner import FakeSession, fake_factory, plan_for

from auditor.browser.pageview import Navigations
from auditor.browser.session import BrowserSession
from auditor.config import AuditOptions, SiteConfig
from auditor.fixtureweb import FixtureWeb
from auditor.model import RunResult, SiteResult
from auditor.results import JOURNAL_FILE, RESULTS_FILE, Journal, iter_journal, read_results
from auditor.run import BrowserPool, audit_site
from auditor.run import journal as journal_module
from auditor.run import site as site_module
from auditor.run.journal import JournalError, RunBook
from auditor.run.site import SITE_TIMEOUT_REASON, site_budget, site_timeout

HEALTHY = "www.journal-conforme.fr"


def run_one(plan_options: AuditOptions, tmp_path: Path, collect: object) -> tuple[SiteResult, BrowserPool]:
    plan = plan_for(tmp_path, n=1, options=plan_options)
    pool = BrowserPool(plan.options, concurrency=1, session_factory=fake_factory)

    async def go() -> SiteResult:
        try:
            return await audit_site(pool, plan.sites[0], plan, collect=collect)  # type: ignore[arg-type]
        finally:
            await pool.close()

    return asyncio.run(go()), pool


# --- the budget ---------------------------------------------------------------------------------------


def test_budget_is_three_timeouts_with_a_floor_unless_the_user_asks() -> None:
    assert site_budget(AuditOptions(timeout=60)) == 180
    assert site_budget(AuditOptions(timeout=20)) == site_module.MIN_SITE_BUDGET
    assert site_budget(AuditOptions(timeout=20, site_timeout=600)) == 600
    assert site_timeout(AuditOptions(timeout=20)) <= site_budget(AuditOptions(timeout=20))


def test_a_page_that_never_answers_is_abandoned_once_not_retried(tmp_path: Path) -> None:
    calls = 0

    async def hung(session: BrowserSession, site: SiteConfig, out: Path) -> SiteResult:
        nonlocal calls
        calls += 1
        await asyncio.Event().wait()  # a page.evaluate on a renderer in an endless loop
        raise AssertionError("unreachable")

    result, pool = run_one(AuditOptions(retries=3, site_timeout=1.0), tmp_path, hung)
    assert (result.status, result.attempts, calls) == ("error", 1, 1)
    assert result.error is not None and result.error.startswith(SITE_TIMEOUT_REASON)
    assert result.error.endswith("its pages were closed")
    assert pool.crashes == 0


def test_an_attempt_that_ignores_cancellation_replaces_the_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site_module, "KILL_GRACE", 0.2)
    release = asyncio.Event()

    async def stubborn(session: BrowserSession, site: SiteConfig, out: Path) -> SiteResult:
        while not release.is_set():  # a browser call that does not give up when cancelled
            try:
                await release.wait()
            except asyncio.CancelledError:
                continue
        return SiteResult(url=site.url, status="ok")

    async def go() -> tuple[SiteResult, int, int]:
        plan = plan_for(tmp_path, n=1, options=AuditOptions(retries=2, site_timeout=1.0))
        pool = BrowserPool(plan.options, concurrency=1, session_factory=fake_factory)
        already = len(FakeSession.launched)  # the fake's launch log is shared by every test of the session
        try:
            result = await audit_site(pool, plan.sites[0], plan, collect=stubborn)
            async with pool.lease():  # the next site gets a fresh browser
                pass
            return result, pool.crashes, len(FakeSession.launched) - already
        finally:
            release.set()
            await pool.close()

    result, crashes, launched = asyncio.run(go())
    assert result.status == "error" and result.attempts == 1
    assert result.error is not None and SITE_TIMEOUT_REASON in result.error
    assert "the browser did not answer either and was replaced" in result.error
    assert (crashes, launched) == (1, 2)  # the hung browser was replaced by a fresh one


def test_transient_failures_stop_being_retried_when_the_budget_is_spent(tmp_path: Path) -> None:
    reset = "connection reset by the server (ERR_CONNECTION_RESET)"
    calls = 0

    async def flaky(session: BrowserSession, site: SiteConfig, out: Path) -> SiteResult:
        nonlocal calls
        calls += 1
        return SiteResult(url=site.url, status="error", error=reset)

    # A budget too small for another attempt after the first one (the floor of an attempt is --timeout).
    result, _ = run_one(AuditOptions(retries=5, timeout=30, site_timeout=5.0), tmp_path, flaky)
    assert (result.attempts, calls) == (1, 1)
    assert result.error == f"{reset} (not retried: the site's 5 s are spent)"


# --- the hostile pages, in a browser ------------------------------------------------------------------

STUCK = {
    hostile.BUSY_LOOP_HOST: SITE_TIMEOUT_REASON,
    hostile.META_REFRESH_HOST: "the page never settled: it navigated",
    hostile.JS_RELOAD_HOST: "the page never settled: it navigated",
    hostile.REDIRECT_LOOP_HOST: "too many redirects (ERR_TOO_MANY_REDIRECTS)",
    hostile.BOT_WALL_HOST: "HTTP 403",
}
"""Hostile hosts whose site fails, and the start of the reason it must give."""
SURVIVED = (
    hostile.POPUPS_HOST,
    hostile.DOWNLOAD_HOST,
    hostile.COOKIE_FLOOD_HOST,
    hostile.HUGE_PAGE_HOST,
    hostile.SELF_CLOSING_HOST,
    hostile.OFFSITE_CLICK_HOST,
    hostile.CAPTCHA_HOST,
    hostile.ODD_COOKIES_HOST,
    hostile.FLICKERING_HOST,
)
"""Hostile hosts an auditor must get through without an internal error or a lost browser."""


@pytest.fixture(scope="module")
def hostile_run(
    fixture_web: FixtureWeb, audit_fixture_sites: object, tmp_path_factory: pytest.TempPathFactory
) -> RunResult:
    hosts = [*STUCK, *SURVIVED, hostile.DIALOGS_HOST, HEALTHY]
    # A site budget the healthy site fits in on a loaded machine, far below the old 429 s of the busy loop.
    return audit_fixture_sites(hosts, timeout=8, site_timeout=60, retries=1, screenshots=False)  # type: ignore[operator,no-any-return]


def by_host(run: RunResult, host: str) -> SiteResult:
    return next(s for s in run.sites if host in s.url)


@pytest.mark.parametrize("host", list(STUCK))
def test_a_stuck_page_ends_with_its_reason(hostile_run: RunResult, host: str) -> None:
    site = by_host(hostile_run, host)
    assert site.status == "error"
    assert site.error is not None and STUCK[host] in site.error, site.error
    if host == hostile.BUSY_LOOP_HOST:
        assert site.attempts == 1  # a watchdog timeout is not retried


def test_the_healthy_site_beside_them_is_audited_in_full(hostile_run: RunResult) -> None:
    site = by_host(hostile_run, HEALTHY)
    assert site.status == "ok", site.error
    assert {"before", "reject", "accept"} <= set(site.phases)


def test_dialogs_are_dismissed_and_recorded(hostile_run: RunResult) -> None:
    site = by_host(hostile_run, hostile.DIALOGS_HOST)
    warnings = [w for phase in site.phases.values() for w in phase.warnings]
    for kind in ("alert", "confirm", "prompt"):
        assert any(f"the page opened a {kind} dialog" in w for w in warnings), warnings
    assert site.phases["before"].banner is not None


@pytest.mark.parametrize("host", SURVIVED)
def test_a_hostile_page_costs_no_internal_error_nor_the_browser(hostile_run: RunResult, host: str) -> None:
    site = by_host(hostile_run, host)
    assert site.phases, site.error  # something was collected and kept
    for reason in (site.error, *(p.error for p in site.phases.values())):
        assert not (reason or "").startswith(("internal error", "browser", SITE_TIMEOUT_REASON)), reason


def test_five_thousand_cookies_are_all_reported_as_chromium_kept_them(hostile_run: RunResult) -> None:
    before = by_host(hostile_run, hostile.COOKIE_FLOOD_HOST).phases["before"]
    flood = [c for c in before.cookies if c.name.startswith("flot")]
    assert 100 <= len(flood) < hostile.COOKIE_FLOOD  # Chromium evicts beyond ~180 per domain; none lost on our side


# --- SIGTERM to the command line ----------------------------------------------------------------------


def test_sigterm_keeps_the_finished_sites_and_exits_143(fixture_web: FixtureWeb, tmp_path: Path) -> None:
    """A run stopped by SIGTERM while a stuck page is in flight: results.json holds the finished site."""
    out = tmp_path / "out"
    args = [sys.executable, "-m", "auditor", "audit", fixture_web.url(HEALTHY), fixture_web.url(hostile.BUSY_LOOP_HOST)]
    args += ["--out", str(out), "--timeout", "8", "--site-timeout", "300", "--concurrency", "2", "--no-screenshots"]
    args += [f"--browser-arg={arg}" for arg in fixture_web.chromium_args]
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"})
    journal = out / JOURNAL_FILE
    try:
        deadline = time.monotonic() + 240
        while not (journal.exists() and any(HEALTHY in s.url for s in iter_journal(journal))):
            assert proc.poll() is None, "the run ended before the healthy site was journalled"
            assert time.monotonic() < deadline, "the healthy site was never journalled"
            time.sleep(0.5)  # another process's file: nothing to await
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, stderr
    assert "terminated (SIGTERM)" in stderr
    kept = read_results(out / RESULTS_FILE)
    assert [s.status for s in kept.sites if HEALTHY in s.url] == ["ok"]
    assert not any(hostile.BUSY_LOOP_HOST in s.url for s in kept.sites)  # abandoned in flight, audited on --resume


# --- the journal's disk full --------------------------------------------------------------------------


def test_a_full_disk_stops_the_run_with_a_clear_error_and_keeps_what_was_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = plan_for(tmp_path, n=3)
    book = RunBook(plan)
    book.record(SiteResult(url=plan.sites[0].url, status="ok"))
    real_append = Journal.append

    def full(self: Journal, site: SiteResult) -> None:
        real_append(self, site)  # a partial line may reach the disk before ENOSPC
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Journal, "append", full)
    with pytest.raises(JournalError, match="cannot write the journal \\(No space left on device\\)") as caught:
        book.record(SiteResult(url=plan.sites[1].url, status="ok"))
    assert str(plan.out_dir / JOURNAL_FILE) in str(caught.value)
    monkeypatch.setattr(Journal, "append", real_append)
    book.close(interrupted=True)
    kept = read_results(plan.out_dir / RESULTS_FILE)
    assert plan.sites[0].url in [s.url for s in kept.sites]


def test_an_unwritable_results_file_names_it_and_the_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = plan_for(tmp_path, n=1)
    book = RunBook(plan)
    book.record(SiteResult(url=plan.sites[0].url, status="ok"))

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(journal_module, "write_results_from_journal", refuse)
    with pytest.raises(JournalError, match="cannot write the results \\(Read-only file system\\)") as caught:
        book.close()
    assert str(plan.out_dir / JOURNAL_FILE) in str(caught.value)
    assert [s.url for s in iter_journal(plan.out_dir / JOURNAL_FILE)] == [plan.sites[0].url]


# --- Chromium killed in the middle of a site ----------------------------------------------------------


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (this test's own children only: other Chromiums are not ours)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _our_browsers() -> list[int]:
    """The main Chromium processes (no ``--type=``) started by this test process."""
    mains = []
    for pid in _descendants(os.getpid()):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and b"chrom" in argv[0] and not any(a.startswith(b"--type=") for a in argv):
            mains.append(pid)
    return mains


def test_chromium_killed_mid_site_is_replaced_and_every_site_finishes(
    fixture_web: FixtureWeb, audit_fixture_sites: object
) -> None:
    slow = "www.beacon-differe.fr"
    killed: list[int] = []

    def killer() -> None:
        if fixture_web.wait_for_hit(slow, "/", timeout=120) is not None:
            for pid in _our_browsers():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        run = audit_fixture_sites([slow, HEALTHY], concurrency=1, timeout=8, screenshots=False)  # type: ignore[operator]
    finally:
        thread.join()
    assert killed, "no browser of ours was found to kill"
    first = by_host(run, slow)
    assert first.attempts == 2, first.error  # the crash got its retry in a fresh browser
    assert first.status == "ok", first.error
    assert by_host(run, HEALTHY).status == "ok"


@pytest.mark.parametrize(
    ("commits", "documents", "looping"),
    [
        (1, ["https://a.fr/"], False),  # a plain load
        (2, ["https://a.fr/", "https://a.fr/fr/"], False),  # one redirect by script
        (2, ["https://a.fr/", "https://a.fr/"], False),  # one reload of itself (a cookie check page)
        (3, ["https://a.fr/", "https://a.fr/", "https://a.fr/"], True),  # reloads itself again and again
        (6, ["https://a.fr/"], True),  # many commits (same-document ones included)
        (5, ["https://a.fr/"], False),
    ],
)
def test_a_reload_loop_is_told_by_its_documents_not_by_the_machine_speed(
    commits: int, documents: list[str], looping: bool
) -> None:
    assert Navigations(commits, documents).never_settled is looping
