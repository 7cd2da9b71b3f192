"""The Dask executor on a real local cluster (2 worker processes x 1 thread) auditing fixture sites.

The fixture web runs in this test process; the workers' Chromium reaches it through the same
``--host-resolver-rules`` (loopback ports), as workers on one machine would.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from support import require_module

distributed = require_module("distributed")


from distributed import Client, LocalCluster  # noqa: E402

from auditor.browser.collect import slug  # noqa: E402
from auditor.config import AuditOptions, SiteConfig  # noqa: E402
from auditor.fixtureweb import REFUSED_HOST, FixtureWeb  # noqa: E402
from auditor.fixtureweb.synthetic import make_sites_dir, synthetic_hosts  # noqa: E402
from auditor.pipeline import build_pipeline  # noqa: E402
from auditor.results import JOURNAL_FILE, RESULTS_FILE, iter_journal, read_results  # noqa: E402
from auditor.run import AuditPlan  # noqa: E402
from auditor.run.dask import run_dask  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FixtureWeb]:
    """A fixture web of its own with synthetic hosts (its hits tell which site a worker is on)."""
    root = make_sites_dir(
        Path(tmp_path_factory.mktemp("dask-sites")),
        [*synthetic_hosts("grappe", 4), *synthetic_hosts("cli-dask", 1), *synthetic_hosts("arret", 4)],
    )
    with FixtureWeb(sites_dir=root) as fixture:
        yield fixture


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """A real cluster: a scheduler and two worker processes (with nannies, which restart killed workers)."""
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
        silence_logs=logging.ERROR,
    ) as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster: LocalCluster) -> Iterator[Client]:
    with Client(cluster, set_as_default=False) as dask_client:
        yield dask_client


def kill_tree(pid: int) -> None:
    """SIGKILL a process and its descendants (a machine lost: the worker and its browser)."""
    proc = psutil.Process(pid)
    family = [proc, *proc.children(recursive=True)]
    for member in family:
        with contextlib.suppress(psutil.Error):
            member.kill()
    psutil.wait_procs(family, timeout=10)


def test_a_worker_killed_mid_run_loses_no_site_and_duplicates_none(
    web: FixtureWeb, client: Client, tmp_path: Path
) -> None:
    sites = synthetic_hosts("grappe", 4)
    victim = sites[0]
    pids: dict[str, int] = client.run(os.getpid)
    killed: list[str] = []

    def kill_the_worker_auditing_victim() -> None:
        if web.wait_for_hit(victim, "/", timeout=180) is None:
            return
        for address, keys in client.processing().items():
            if any(slug(web.url(victim)) in str(key) for key in keys) and address in pids:
                killed.append(address)
                kill_tree(pids[address])
                return

    killer = threading.Thread(target=kill_the_worker_auditing_victim, daemon=True)
    killer.start()
    pipeline = build_pipeline(None)
    plan = AuditPlan(
        sites=tuple(SiteConfig(url=web.url(h)) for h in sites),
        options=AuditOptions(extra_browser_args=tuple(web.chromium_args), retries=0),
        out_dir=tmp_path,
        postprocess=pipeline.postprocess,
        arguments=("pytest",),
    )
    summary = run_dask(plan, client=client)
    killer.join(timeout=10)
    assert killed, "no worker was killed: the test did not exercise recovery"
    journal = list(iter_journal(tmp_path / JOURNAL_FILE))
    expected = [s.url for s in plan.sites]
    assert sorted(s.url for s in journal) == sorted(expected)  # every site exactly once
    results = read_results(tmp_path / RESULTS_FILE)
    assert [s.url for s in results.sites] == expected
    assert all(s.status == "ok" for s in results.sites), [(s.url, s.error) for s in results.sites]
    assert all(s.findings for s in results.sites)  # post-processing ran on the workers
    assert (summary.ok, summary.failed, summary.executor) == (4, 0, "dask")
    assert results.browser.version


def test_sigterm_to_a_worker_mid_site_requeues_the_site_and_keeps_the_finished_ones(
    web: FixtureWeb, client: Client, tmp_path: Path
) -> None:
    """``kill -TERM`` of a worker process (a machine shut down, a pod evicted) while it audits a site.

    The victim is the third site: with two single-threaded workers one site is already journaled when it
    starts. The worker dies at once (its process has no SIGTERM handler; its nanny starts a new one), its
    browser goes with it, and Dask re-queues the site: every site ends in the journal exactly once, the
    ones finished before the signal unchanged."""
    sites = synthetic_hosts("arret", 4)
    victim = sites[2]
    pids: dict[str, int] = client.run(os.getpid)
    journal_path = tmp_path / JOURNAL_FILE
    at_signal: dict[str, list[str]] = {}
    family: list[psutil.Process] = []

    def terminate_the_worker_auditing_victim() -> None:
        if web.wait_for_hit(victim, "/", timeout=180) is None:
            return
        for address, keys in client.processing().items():
            if any(slug(web.url(victim)) in str(key) for key in keys) and address in pids:
                worker = psutil.Process(pids[address])
                family.extend([worker, *worker.children(recursive=True)])  # its Playwright driver and Chromium
                at_signal["journal"] = [s.url for s in iter_journal(journal_path)] if journal_path.exists() else []
                at_signal["worker"] = [address]
                worker.send_signal(signal.SIGTERM)
                return

    terminator = threading.Thread(target=terminate_the_worker_auditing_victim, daemon=True)
    terminator.start()
    plan = AuditPlan(
        sites=tuple(SiteConfig(url=web.url(h)) for h in sites),
        options=AuditOptions(extra_browser_args=tuple(web.chromium_args), retries=0),
        out_dir=tmp_path,
        postprocess=build_pipeline(None).postprocess,
        arguments=("pytest",),
    )
    summary = run_dask(plan, client=client)
    terminator.join(timeout=10)
    assert at_signal.get("worker"), "no worker was signalled: the test did not exercise recovery"
    assert at_signal["journal"], "no site was finished before the signal"
    journal = {s.url: s for s in iter_journal(journal_path)}
    expected = [s.url for s in plan.sites]
    assert sorted(s.url for s in iter_journal(journal_path)) == sorted(expected)  # every site exactly once
    assert all(journal[url].status == "ok" for url in at_signal["journal"])  # finished before: kept as they were
    results = read_results(tmp_path / RESULTS_FILE)
    assert [s.url for s in results.sites] == expected
    requeued = journal[web.url(victim)]
    assert requeued.status == "ok", requeued.error  # audited again, on a live worker
    views = {host: sum(hit.path == "/" for hit in web.hits_for(host)) for host in (victim, sites[0])}
    assert views[victim] > views[sites[0]], views  # the signalled attempt's view, then a whole audit
    assert (summary.ok, summary.failed) == (4, 0)
    _, alive = psutil.wait_procs(family, timeout=30)
    assert not alive, f"processes of the terminated worker survived it: {[p.cmdline()[:1] for p in alive]}"


def test_cli_dask_executor_streams_results_and_screenshots(
    web: FixtureWeb, cluster: LocalCluster, client: Client, tmp_path: Path
) -> None:
    urls = [web.url(synthetic_hosts("cli-dask", 1)[0]), web.url(REFUSED_HOST)]
    command = [sys.executable, "-m", "auditor", "audit", *urls, "--out", str(tmp_path)]
    command += [f"--browser-arg={arg}" for arg in web.chromium_args]
    command += ["--executor", "dask", "--scheduler", cluster.scheduler_address]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 3, proc.stderr  # the refused host could not be audited
    results = read_results(tmp_path / RESULTS_FILE)
    assert [s.url for s in results.sites] == urls
    healthy, refused = results.sites
    assert healthy.status == "ok" and healthy.findings
    assert refused.status == "error" and "connection refused" in (refused.error or "")
    shots = [shot.path for phase in healthy.phases.values() for shot in phase.screenshots]
    assert shots and all((tmp_path / shot).is_file() for shot in shots)  # written by the client
    assert client.run(lambda: None) != {}  # the cluster is still up after the run
