"""The runner with a real Chromium on the fixture web: restarts, a crash mid-run, Ctrl-C, the delayed beacon."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from playwright.async_api import async_playwright

from auditor.browser.session import LEAN_DISABLED_FEATURES, PLAYWRIGHT_DISABLED_FEATURES, BrowserSession
from auditor.config import AuditOptions, SiteConfig, find_browser
from auditor.fixtureweb import FixtureWeb
from auditor.fixtureweb.synthetic import make_sites_dir, synthetic_hosts
from auditor.model import RunResult
from auditor.results import JOURNAL_FILE, RESULTS_FILE, iter_journal, read_results
from auditor.run import AuditPlan, RunSummary, run, run_local

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FixtureWeb]:
    """A fixture web of its own, with synthetic hosts nobody else requests (so its hits are ours)."""
    root = make_sites_dir(
        Path(tmp_path_factory.mktemp("runner-sites")), [*synthetic_hosts("crash", 4), *synthetic_hosts("stop", 3)]
    )
    with FixtureWeb(sites_dir=root) as fixture:
        yield fixture


def browser_main_processes(root: psutil.Process) -> list[psutil.Process]:
    """Chromium browser processes (not renderers or helpers) among ``root``'s descendants."""
    found = []
    for proc in root.children(recursive=True):
        try:
            cmd = proc.cmdline()
        except psutil.Error:
            continue
        if cmd and "chromium" in os.path.basename(cmd[0]) and not any(a.startswith("--type=") for a in cmd):
            found.append(proc)
    return found


def disabled_features(cmdline: list[str]) -> list[str]:
    """The features Chromium will disable: the *last* ``--disable-features`` switch wins."""
    values = [a.split("=", 1)[1] for a in cmdline if a.startswith("--disable-features=")]
    return values[-1].split(",") if values else []


def test_playwright_default_features_survive_our_switch() -> None:
    """Our ``--disable-features`` must carry Playwright's own list (Chromium keeps the last switch only)."""

    async def go() -> tuple[list[str], list[str]]:
        me = psutil.Process()
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=find_browser().path)
            (plain,) = browser_main_processes(me)
            playwright_list = disabled_features(plain.cmdline())
            await browser.close()
        async with BrowserSession(AuditOptions(extra_browser_args=("--disable-features=Translate",))):
            (ours,) = browser_main_processes(me)
            our_list = disabled_features(ours.cmdline())
        return playwright_list, our_list

    playwright_list, our_list = asyncio.run(go())
    assert playwright_list, "Playwright no longer passes --disable-features?"
    missing = set(playwright_list) - set(PLAYWRIGHT_DISABLED_FEATURES)
    assert not missing, f"update PLAYWRIGHT_DISABLED_FEATURES in auditor/browser/session.py: {sorted(missing)}"
    assert set(playwright_list) <= set(our_list)
    assert set(LEAN_DISABLED_FEATURES) <= set(our_list)
    assert "Translate" in our_list  # a user's own --disable-features is merged, not lost


def test_a_context_costs_one_renderer_no_omnibox_webui(web: FixtureWeb) -> None:
    """Headless Chromium preloads an omnibox-popup WebUI per context unless told not to."""

    async def go() -> list[str]:
        async with BrowserSession(AuditOptions(extra_browser_args=tuple(web.chromium_args))) as session:
            context = await session.new_context(SiteConfig(url=web.url("www.crash-0001.fr")))
            await context.new_page()
            cdp = await session.browser.new_browser_cdp_session()
            targets = await cdp.send("Target.getTargets")
            await context.close()
            return [t["url"] for t in targets["targetInfos"] if t["type"] != "page"]

    assert not [url for url in asyncio.run(go()) if "omnibox" in url]


def test_restarts_and_a_browser_crash_lose_no_site(web: FixtureWeb, tmp_path: Path) -> None:
    """A fresh browser every 2 sites, and Chromium killed while a site is in flight: every site is audited once."""
    hosts = synthetic_hosts("crash", 4)
    victim = hosts[1]
    killed: list[int] = []
    me = psutil.Process()

    def kill_browser_when_victim_loads() -> None:
        if web.wait_for_hit(victim, "/", timeout=120) is None:
            return
        for proc in browser_main_processes(me):
            killed.append(proc.pid)
            proc.kill()

    killer = threading.Thread(target=kill_browser_when_victim_loads, daemon=True)
    killer.start()
    plan = AuditPlan(
        sites=tuple(SiteConfig(url=web.url(h)) for h in hosts),
        options=AuditOptions(extra_browser_args=tuple(web.chromium_args), concurrency=2, retries=0),
        out_dir=tmp_path,
        arguments=("pytest",),
        restart_after=2,
    )
    summary: RunSummary = asyncio.run(run_local(plan))
    killer.join(timeout=5)
    assert killed, "the browser was never killed"
    journal = list(iter_journal(tmp_path / JOURNAL_FILE))
    assert sorted(s.url for s in journal) == sorted(s.url for s in plan.sites)  # each exactly once
    assert {s.url: s.status for s in journal} == {s.url: "ok" for s in plan.sites}
    by_host = {s.url: s for s in journal}
    assert by_host[web.url(victim)].attempts == 2  # retried in a fresh browser although retries=0
    assert summary.browser_restarts >= 2  # the crash, and at least one scheduled restart
    assert (summary.ok, summary.failed, summary.retried) == (4, 0, summary.retried)
    assert read_results(tmp_path / RESULTS_FILE).sites[1].url == web.url(victim)  # input order kept


def test_ctrl_c_stops_cleanly_and_keeps_finished_sites(web: FixtureWeb, tmp_path: Path) -> None:
    """SIGINT to the process group (what a terminal's Ctrl-C does): exit 130, finished sites in results.json."""
    hosts = synthetic_hosts("stop", 3)
    command = [sys.executable, "-m", "auditor", "audit", *[web.url(h) for h in hosts], "--out", str(tmp_path)]
    command += [f"--browser-arg={arg}" for arg in web.chromium_args] + ["--concurrency", "1"]
    proc = subprocess.Popen(
        command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, start_new_session=True
    )
    assert proc.stderr is not None
    descendants: list[psutil.Process] = []
    lines = []
    for line in proc.stderr:  # plain progress lines: stderr is a pipe
        lines.append(line)
        if line.strip().startswith("https://") and line.rstrip().endswith("ok"):
            descendants = psutil.Process(proc.pid).children(recursive=True)
            os.killpg(proc.pid, signal.SIGINT)
            break
    rest = proc.stderr.read()
    code = proc.wait(timeout=60)
    assert code == 130, "".join(lines) + rest
    assert "interrupted" in rest
    results = read_results(tmp_path / RESULTS_FILE)
    journal = list(iter_journal(tmp_path / JOURNAL_FILE))
    assert results.sites and len(results.sites) < len(hosts)
    assert [s.url for s in results.sites] == [s.url for s in journal]
    assert all(s.status == "ok" for s in results.sites)
    _, alive = psutil.wait_procs(descendants, timeout=30)
    assert not alive, f"processes left behind: {[p.cmdline()[:1] for p in alive]}"


def test_delayed_beacon_after_accept_is_caught(audit_fixture_sites) -> None:  # type: ignore[no-untyped-def]
    """www.beacon-differe.fr fires a Meta pixel 2 s after 'Tout accepter': the accept phase must hold it."""
    result: RunResult = audit_fixture_sites(["www.beacon-differe.fr"])
    (site,) = result.sites
    assert site.status == "ok"
    accept, reject = site.phases["accept"], site.phases["reject"]
    assert any(r.host == "www.facebook.com" and "/tr" in r.url for r in accept.requests)
    assert any(c.name == "fr" and c.domain == ".facebook.com" for c in accept.cookies)
    assert not any(r.host == "www.facebook.com" for r in reject.requests)
    assert not any(r.host == "www.facebook.com" for r in site.phases["before"].requests)


def test_run_returns_the_whole_result_for_small_runs(web: FixtureWeb, tmp_path: Path) -> None:
    """``run()`` stays the convenience for tests and small runs: the RunResult, read back from results.json."""
    plan = AuditPlan(
        sites=(SiteConfig(url=web.url("www.crash-0004.fr")),),
        options=AuditOptions(extra_browser_args=tuple(web.chromium_args), screenshots=False),
        out_dir=tmp_path,
        arguments=("pytest",),
    )
    seen: list[str] = []
    result = run(plan, on_site=lambda s: seen.append(s.url))
    assert [s.url for s in result.sites] == seen == [web.url("www.crash-0004.fr")]
    assert result.browser.version


def test_resume_judges_the_kept_sites_with_the_current_rules(fixture_web: FixtureWeb, tmp_path: Path) -> None:
    """Audit with one pack, resume with another: no site is audited again, every site is judged by the new pack."""
    from test_faults import browser_args, consent_audit

    url = fixture_web.url("www.gazette-pisteurs.fr")  # a tracker before any choice
    common = [url, "--out", str(tmp_path), "--no-screenshots", *browser_args(fixture_web)]
    first = consent_audit(["audit", *common, "--rules", "tcf"])
    assert first.code in (0, 1, 3), first.stderr
    assert read_results(tmp_path / RESULTS_FILE).sites[0].rule_packs == ("tcf",)
    audited = len(list(iter_journal(tmp_path / JOURNAL_FILE)))
    second = consent_audit(["audit", *common, "--rules", "baseline", "--resume"])
    site = read_results(tmp_path / RESULTS_FILE).sites[0]
    assert site.rule_packs == ("baseline",) and {f.pack for f in site.findings} == {"baseline"}
    assert any(f.rule == "baseline-third-party-tracker-cookie" and f.outcome == "fail" for f in site.findings)
    assert second.code == 1, second.stderr
    assert "0 site(s) audited this run" in second.stderr  # the evidence came from the journal
    assert len(list(iter_journal(tmp_path / JOURNAL_FILE))) == audited + 1  # one re-evaluated line


def test_retry_failed_audits_again_the_sites_that_failed(fixture_web: FixtureWeb, tmp_path: Path) -> None:
    """A site of the plan journaled as failed is audited again; another journaled site is left as it is."""
    from test_faults import browser_args, consent_audit

    from auditor.model import SiteResult
    from auditor.results import Journal

    failed, kept = fixture_web.url("www.journal-conforme.fr"), fixture_web.url("www.gazette-pisteurs.fr")
    with Journal(tmp_path / JOURNAL_FILE) as journal:
        journal.append(SiteResult(url=failed, status="error", error="net::ERR_CONNECTION_RESET (then)"))
        journal.append(SiteResult(url=kept, status="error", error="not in this plan"))
    common = [failed, "--out", str(tmp_path), "--no-screenshots", *browser_args(fixture_web)]
    resumed = consent_audit(["audit", *common, "--resume"])
    assert resumed.code == 3 and "0 site(s) audited this run" in resumed.stderr, resumed.stderr
    retried = consent_audit(["audit", *common, "--retry-failed"])
    assert "1 site(s) audited this run" in retried.stderr, retried.stderr
    sites = {s.url: s for s in read_results(tmp_path / RESULTS_FILE).sites}
    assert sites[failed].status == "ok" and set(sites[failed].phases) == {"before", "reject", "accept"}
    assert sites[kept].status == "error" and sites[kept].error == "not in this plan"
