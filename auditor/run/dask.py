"""The Dask executor: the same per-site audit on Dask distributed workers, results streamed to the journal.

``consent-audit audit --executor dask --scheduler tcp://host:8786`` connects a :class:`distributed.Client`
to an existing cluster (plain ``dask scheduler`` / ``dask worker`` processes, see ``docs/scaling.md``)
and submits one task per site. Dask does the scheduling, the load balancing and the recovery from lost
workers (a task running on a worker that dies is resubmitted elsewhere); this module adds only what is
specific to auditing:

* **One long-lived browser per worker process.** A :class:`AuditWorkerPlugin` carries the run's
  :class:`WorkerJob` (browser options, post-processing, restart and memory settings) to every worker,
  including workers that join or restart later. On the worker, a :class:`WorkerRuntime` owns a
  dedicated event-loop thread and a :class:`auditor.run.pool.BrowserPool` per job; each task (running in
  one of the worker's threads) hands its site to that loop and waits. A worker with ``--nthreads N``
  therefore audits N sites at once in one Chromium — the same concurrency model as the local executor —
  and the pool restarts the browser after ``restart_after`` sites or a crash.
* **Post-processing on the worker.** Classification and rule evaluation run in the task's thread right
  after collection, so that CPU work scales with the cluster and the client only writes lines to the
  journal (for 100,000 sites the client would otherwise become the bottleneck). The rule sets and
  knowledge base travel once per worker inside the plugin, not with every task.
* **Streaming, bounded submission.** The client keeps a window of tasks in flight (a few per worker
  thread), journals each result as it completes (``as_completed``), and submits the next site; the
  scheduler never holds the whole site list, and the client never holds more than the window.
* **Screenshots travel with the result.** Workers write them to a scratch directory and return the
  bytes with the :class:`RemoteResult`; the client writes them under ``--out``, so the results directory
  is complete even when workers are on other machines.

A site whose task keeps killing workers (Dask's ``allowed-failures``, 3 by default) is recorded as a
failed site (``status: error``), like any other failure: the run goes on.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from distributed import Client, as_completed
from distributed.diagnostics.plugin import WorkerPlugin

from auditor.browser.collect import slug
from auditor.config import DEFAULT_RESTART_AFTER, AuditOptions, SiteConfig
from auditor.model import BrowserInfo, SiteResult
from auditor.redact import redact_site
from auditor.run.journal import RunBook, RunObserver, RunSummary
from auditor.run.memory import default_memory_budget_mb
from auditor.run.pool import CLOSE_TIMEOUT, BrowserPool
from auditor.run.site import AuditPlan, PostProcess, apply_postprocess, audit_site, failed_site, identity

log = logging.getLogger(__name__)

TASKS_PER_THREAD = 3
"""Tasks kept in flight per worker thread: enough to keep every worker busy, little for the scheduler to hold."""
MIN_WINDOW = 8
"""Tasks in flight at least (workers may join after the run started)."""
WORKER_POOL_LIMIT = 64
"""Leases of a worker's browser pool: the worker's thread count is the real limit."""


class ClusterError(Exception):
    """The Dask cluster cannot be used (scheduler unreachable): nothing was audited."""


@dataclass(frozen=True)
class WorkerJob:
    """Everything a worker needs to audit sites of one run (sent once per worker, in the plugin)."""

    token: str
    """Unique id of the run: tasks name it, so a worker never audits with another run's settings."""
    options: AuditOptions
    postprocess: PostProcess = identity
    restart_after: int = DEFAULT_RESTART_AFTER
    memory_budget_mb: int | None = None
    """Per worker; ``None``: half the memory the worker has available."""


@dataclass(frozen=True)
class RemoteResult:
    """What a worker returns for one site: the result, its screenshot files, and who audited it."""

    site: SiteResult
    files: tuple[tuple[str, bytes], ...] = ()
    """(path relative to the results directory, content) of each screenshot."""
    browser: BrowserInfo = field(default_factory=BrowserInfo)
    worker: str | None = None


# --- worker side ----------------------------------------------------------------------------------


class WorkerRuntime:
    """The per-process side of a worker: an event loop in its own thread and one browser pool per job."""

    _instance: ClassVar[WorkerRuntime | None] = None
    _instance_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="consent-audit-browser", daemon=True)
        self._thread.start()
        self._lock = threading.Lock()
        self.jobs: dict[str, WorkerJob] = {}
        self._pools: dict[str, BrowserPool] = {}
        self._scratch: dict[str, Path] = {}

    @classmethod
    def get(cls) -> WorkerRuntime:
        """The runtime of this process (created on first use)."""
        with cls._instance_lock:
            if cls._instance is None:
                cls._instance = WorkerRuntime()
            return cls._instance

    def add_job(self, job: WorkerJob) -> None:
        """Make ``job`` known (its browser starts with its first site)."""
        with self._lock:
            self.jobs[job.token] = job

    async def remove_job(self, token: str) -> None:
        """Forget a job: close its browser and remove its scratch directory."""
        with self._lock:
            self.jobs.pop(token, None)
            pool = self._pools.pop(token, None)
            scratch = self._scratch.pop(token, None)
        if pool is not None:
            future = asyncio.run_coroutine_threadsafe(pool.close(), self.loop)
            try:
                await asyncio.wait_for(asyncio.wrap_future(future), CLOSE_TIMEOUT)
            except Exception:  # the worker is shutting down the run anyway
                log.warning("closing the browser of run %s failed", token, exc_info=True)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

    def _resources(self, token: str) -> tuple[WorkerJob, BrowserPool, Path]:
        with self._lock:
            job = self.jobs.get(token)
            if job is None:
                raise RuntimeError(f"run {token} is not registered on this worker (its plugin is missing)")
            pool = self._pools.get(token)
            if pool is None:
                pool = self._pools[token] = BrowserPool(
                    job.options,
                    concurrency=WORKER_POOL_LIMIT,
                    restart_after=job.restart_after,
                    memory_budget_mb=job.memory_budget_mb or default_memory_budget_mb(),
                )
                self._scratch[token] = Path(tempfile.mkdtemp(prefix="consent-audit-worker-"))
            return job, pool, self._scratch[token]

    def audit(self, token: str, site: SiteConfig, worker: str | None = None) -> RemoteResult:
        """Audit ``site`` in this worker's browser (blocking the calling thread), post-process it here."""
        job, pool, scratch = self._resources(token)
        plan = AuditPlan(sites=(), options=job.options, out_dir=scratch, arguments=())
        future = asyncio.run_coroutine_threadsafe(audit_site(pool, site, plan), self.loop)
        collected = future.result()
        result = apply_postprocess(job.postprocess, collected)
        if not job.options.keep_values:  # nothing raw leaves the worker (a no-op when the pipeline redacted)
            result = redact_site(result)
        return RemoteResult(site=result, files=_take_files(result, scratch), browser=pool.info, worker=worker)


def _take_files(result: SiteResult, root: Path) -> tuple[tuple[str, bytes], ...]:
    """Read (and delete) the screenshot files a result refers to."""
    files: list[tuple[str, bytes]] = []
    paths: list[str] = []
    for phase in result.phases.values():
        paths.extend(shot.path for shot in phase.screenshots)
        if phase.banner is not None and phase.banner.screenshot:
            paths.append(phase.banner.screenshot)
    for relative in dict.fromkeys(paths):
        path = root / relative
        try:
            files.append((relative, path.read_bytes()))
            path.unlink()
        except OSError:
            continue
    return tuple(files)


def audit_on_worker(site: SiteConfig, token: str) -> RemoteResult:
    """The Dask task: audit one site with the worker's long-lived browser."""
    try:
        from distributed import get_worker

        worker: str | None = get_worker().address
    except ValueError:  # called outside a worker (tests)
        worker = None
    return WorkerRuntime.get().audit(token, site, worker)


class AuditWorkerPlugin(WorkerPlugin):  # type: ignore[misc]
    """Carries a :class:`WorkerJob` to every worker (present and future); tears its browser down at the end."""

    def __init__(self, job: WorkerJob) -> None:
        self.job = job
        self.name = f"consent-audit-{job.token}"

    def setup(self, worker: Any) -> None:
        """Register the job in the worker's runtime."""
        WorkerRuntime.get().add_job(self.job)

    async def teardown(self, worker: Any) -> None:
        """Close the job's browser."""
        await WorkerRuntime.get().remove_job(self.job.token)


# --- client side ----------------------------------------------------------------------------------


def _write_files(out_dir: Path, files: tuple[tuple[str, bytes], ...]) -> None:
    root = out_dir.resolve()
    for relative, content in files:
        path = (out_dir / relative).resolve()
        if not path.is_relative_to(root):  # never write outside the results directory
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def _task_error(site: SiteConfig, exc: BaseException) -> SiteResult:
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        reason = "the Dask workers auditing this site died repeatedly (KilledWorker)"
    else:
        reason = f"the Dask task failed: {type(exc).__name__}: {exc}"
    return failed_site(site, reason)


def connect(scheduler: str, timeout: str | float | None = None) -> Client:
    """A client of the scheduler at ``scheduler``; :class:`ClusterError` when it cannot be reached.

    ``timeout`` defaults to Dask's ``distributed.comm.timeouts.connect`` (30 s; environment variable
    ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT``).
    """
    import dask

    if timeout is None:
        timeout = dask.config.get("distributed.comm.timeouts.connect")
    try:
        return Client(scheduler, timeout=timeout, set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None


def _threads(client: Client) -> int:
    try:
        workers = client.scheduler_info(n_workers=-1)["workers"]
    except TypeError:  # older distributed: no n_workers argument
        workers = client.scheduler_info()["workers"]
    return sum(int(w.get("nthreads", 1)) for w in workers.values())


def run_dask(
    plan: AuditPlan,
    scheduler: str | None = None,
    observer: RunObserver | None = None,
    *,
    client: Client | None = None,
    window: int | None = None,
) -> RunSummary:
    """Audit ``plan`` on the Dask cluster at ``scheduler`` (or through ``client``); return the summary.

    Each result is journaled on this machine as soon as its task completes; ``results.json`` is written
    from the journal at the end, also after Ctrl-C (outstanding tasks are cancelled).
    """
    if client is None:
        if not scheduler:
            raise ClusterError("no Dask scheduler address given")
        own = connect(scheduler)
    else:
        own = None
    dask = client if client is not None else own
    assert dask is not None
    job = WorkerJob(
        token=uuid.uuid4().hex,
        options=plan.options,
        postprocess=plan.postprocess,
        restart_after=plan.restart_after,
        memory_budget_mb=plan.memory_budget_mb,
    )
    plugin = AuditWorkerPlugin(job)
    book = RunBook(plan, observer, "dask")
    registered = False
    try:
        if book.todo:
            try:
                dask.register_plugin(plugin)
            except Exception as exc:  # e.g. workers without the package, or of another version
                raise ClusterError(f"could not set the Dask workers up for the audit: {exc}") from exc
            registered = True
        with book:
            if book.todo:
                threads = _threads(dask)
                book.summary.concurrency = threads
                if not threads:
                    book.note("no Dask worker yet: tasks wait for one to join")
                size = window or max(MIN_WINDOW, TASKS_PER_THREAD * threads)
                _stream(dask, job, book, iter(book.todo), size)
    finally:
        if registered:
            try:
                dask.unregister_worker_plugin(plugin.name)  # type: ignore[no-untyped-call]
            except Exception:  # the cluster may be gone (Ctrl-C, scheduler lost)
                log.debug("could not unregister the worker plugin", exc_info=True)
        if own is not None:
            own.close()  # type: ignore[no-untyped-call]
    return book.summary


def _stream(dask: Client, job: WorkerJob, book: RunBook, todo: Iterator[SiteConfig], size: int) -> None:
    """Keep ``size`` tasks in flight, journal each result as it completes, submit the next site."""
    counter = itertools.count()
    pending: dict[str, SiteConfig] = {}
    inflight: dict[str, Any] = {}

    def submit(site: SiteConfig) -> Any:
        key = f"consent-audit-{slug(site.url)}-{job.token[:8]}-{next(counter)}"
        pending[key] = site
        inflight[key] = future = dask.submit(audit_on_worker, site, job.token, key=key, pure=False)
        return future

    first = [submit(site) for site in itertools.islice(todo, size)]
    flow = as_completed(first, loop=dask.loop)  # type: ignore[no-untyped-call]
    try:
        for future in flow:
            site = pending.pop(future.key)
            inflight.pop(future.key, None)
            try:
                remote: RemoteResult = future.result()
            except Exception as exc:  # the task failed: the site's failure is data
                book.record(_task_error(site, exc))
            else:
                _write_files(book.plan.out_dir, remote.files)
                result = remote.site
                if result.url != site.url:  # never trust a result for another site
                    result = replace(result, url=site.url)
                if remote.browser.version:
                    book.browser = remote.browser
                book.record(result)
            future.release()
            following = next(todo, None)
            if following is not None:
                flow.add(submit(following))  # type: ignore[no-untyped-call]
    except BaseException:
        if inflight:
            dask.cancel(list(inflight.values()))  # type: ignore[no-untyped-call]
        raise
