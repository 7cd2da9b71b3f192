"""Running an audit: many sites in one browser, each result journaled the moment it is finished.

:func:`audit_site` is the per-site unit of work (collect → post-process, with retries). Executors call
it: :func:`run_local` runs sites concurrently in one browser on this machine; the Dask executor
(:mod:`auditor.distributed`) runs the same function on cluster workers. Both share :class:`RunBook`,
the client side of a run: what is left to do (``--resume``), the journal, the counts, and
``results.json`` assembled from the journal at the end — also after Ctrl-C or a crash.

A run never holds all results in memory: each finished site goes to ``journal.jsonl`` (and to the
observer, e.g. the progress display) and is dropped; executors return a :class:`RunSummary` (counts
and paths), and :func:`iter_run_sites` streams the final sites back when something needs them all.

Browsers are managed by :class:`BrowserPool`: one live Chromium at a time, at most ``concurrency``
sites in it, no new site while the process tree is over its memory budget, and a fresh browser after
``restart_after`` sites or after a crash (the sites it was auditing are retried in the new one).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol

from auditor import __version__
from auditor.browser.collect import collect_site, is_transient
from auditor.browser.session import BrowserSession
from auditor.config import AuditOptions, SiteConfig
from auditor.model import BrowserInfo, DataInfo, RunResult, SiteResult, ToolInfo, to_jsonable
from auditor.results import (
    JOURNAL_FILE,
    RESULTS_FILE,
    Journal,
    iter_latest,
    read_results,
    write_results_from_journal,
)
from auditor.yamlutil import ConfigError

log = logging.getLogger(__name__)

PostProcess = Callable[[SiteResult], SiteResult]
"""Pure step applied to each collected site (classification, rule evaluation)."""

Executor = Literal["local", "dask"]
"""Where the per-site audits run: this machine, or Dask distributed workers."""

DEFAULT_RESTART_AFTER = 200
"""Sites audited by one browser before it is replaced by a fresh one (Chromium grows as contexts come and go)."""
BROWSER_BASE_MB = 350
"""Memory (PSS) of an idle audit: Python, Playwright's driver, Chromium's browser, GPU and utility processes."""
SITE_MB = 200
"""Memory (PSS) budgeted per site in flight: one renderer of a heavy real-world page, its frames and caches."""
SITES_PER_CORE = 3
"""Sites in flight per CPU core: a site mostly waits (network quiet, dwell after a click), ~1 CPU-s each."""
MAX_DEFAULT_CONCURRENCY = 16
"""Upper bound of the automatic concurrency (past it, one browser process becomes the bottleneck)."""
MEMORY_SHARE = 0.5
"""Share of the memory available at start used as the default budget."""
NO_BROWSER_REASON = "the browser could not be started"
"""Start of the error of a site for which no browser could be launched (after a crash, say)."""
CLOSE_TIMEOUT = 30.0
"""Seconds allowed to close a browser (a wedged one is abandoned: its driver is stopped with it)."""
SITE_TIMEOUT_REASON = "the audit of the site timed out"
"""Start of the error of a site abandoned by the watchdog (retried like a transient failure)."""
RETRY_BACKOFF = 1.0
"""Seconds before the second attempt of a site (doubled for each further attempt)."""


def identity(site: SiteResult) -> SiteResult:
    """The post-processing step that does nothing."""
    return site


# --- machine-derived defaults -----------------------------------------------------------------------


def available_memory_mb() -> float | None:
    """Memory available to new processes (MiB), or ``None`` when it cannot be read."""
    try:
        import psutil

        return float(psutil.virtual_memory().available) / 2**20
    except ImportError:
        pass
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def default_memory_budget_mb() -> int:
    """The default memory budget of a run: half the memory available now (2 GiB when unknown)."""
    available = available_memory_mb()
    if available is None:
        return 2048
    return max(BROWSER_BASE_MB + SITE_MB, int(available * MEMORY_SHARE))


def default_concurrency(memory_budget_mb: float | None = None, cores: int | None = None) -> int:
    """Sites in flight in one browser: :data:`SITES_PER_CORE` per core, within the memory budget."""
    cores = cores or os.cpu_count() or 1
    budget = memory_budget_mb if memory_budget_mb is not None else default_memory_budget_mb()
    by_cpu = SITES_PER_CORE * cores
    by_memory = int((budget - BROWSER_BASE_MB) // SITE_MB)
    return max(1, min(by_cpu, by_memory, MAX_DEFAULT_CONCURRENCY))


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$", re.IGNORECASE)


def parse_memory(text: str) -> int:
    """Parse a memory size into MiB: ``1500`` (MiB), ``1500M``, ``1.5G``, ``2GiB``, ``800MB``.

    Raises :class:`ValueError` with a readable message.
    """
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"invalid memory size {text!r}: expected e.g. 1500M, 1.5G or 2GiB")
    number, unit = float(match.group(1)), match.group(2).lower()
    scale = {"": 1.0, "k": 1 / 1024, "m": 1.0, "g": 1024.0, "t": 1024.0**2}[unit]
    value = int(number * scale)
    if value <= 0:
        raise ValueError(f"invalid memory size {text!r}: must be positive")
    return value


# --- memory of the process tree -------------------------------------------------------------------


def _pss_kb(pid: int) -> int | None:
    """Proportional set size of one process (Linux ``smaps_rollup``), ``None`` where unavailable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def process_tree_memory_mb(pid: int | None = None) -> float | None:
    """Memory of a process and all its descendants (Chromium, Playwright's driver), in MiB.

    Uses PSS where Linux offers it (shared pages split between the processes sharing them: the real
    footprint), else the sum of RSS (which counts shared pages once per process: an overestimate).
    ``None`` when psutil is not installed.
    """
    try:
        import psutil
    except ImportError:
        return None
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return None
    total_kb = 0
    for proc in procs:
        pss = _pss_kb(proc.pid)
        if pss is None:
            try:
                pss = proc.memory_info().rss // 1024
            except psutil.Error:
                continue
        total_kb += pss
    return total_kb / 1024


class MemoryGauge:
    """The process tree's memory, sampled at most every ``interval`` seconds (cheap to call often)."""

    def __init__(self, interval: float = 1.0, reader: Callable[[], float | None] = process_tree_memory_mb) -> None:
        self.interval = interval
        self._reader = reader
        self._value: float | None = None
        self._at = -1e9
        self.peak = 0.0

    def used_mb(self) -> float | None:
        """The latest sample (taken now when the previous one is older than ``interval``)."""
        now = time.monotonic()
        if now - self._at >= self.interval:
            self._value = self._reader()
            self._at = now
            if self._value is not None:
                self.peak = max(self.peak, self._value)
        return self._value


# --- the browser pool -----------------------------------------------------------------------------


@dataclass(eq=False)
class _Generation:
    """One launched browser and its bookkeeping."""

    session: BrowserSession
    number: int
    served: int = 0
    """Sites (attempts) handed this browser so far."""
    active: int = 0
    """Sites auditing in it right now."""
    retiring: bool = False
    crashed: bool = False

    def healthy(self) -> bool:
        if self.crashed:
            return False
        try:
            return self.session.browser.is_connected()
        except RuntimeError:
            return False


SessionFactory = Callable[[AuditOptions], BrowserSession]


class BrowserPool:
    """One live browser shared by concurrent sites; replaced after ``restart_after`` sites or a crash.

    * at most ``concurrency`` sites hold a lease at once;
    * no new lease while the process tree uses more than ``memory_budget_mb`` (PSS) and other sites
      are still running (they will free memory); over budget with nothing running, the browser is
      restarted (a leak);
    * a browser due for replacement takes no new site; when its last site is done it is closed and a
      fresh one launched (never two browsers at once: memory stays bounded).
    """

    def __init__(
        self,
        options: AuditOptions,
        *,
        concurrency: int,
        restart_after: int = DEFAULT_RESTART_AFTER,
        memory_budget_mb: float | None = None,
        gauge: MemoryGauge | None = None,
        session_factory: SessionFactory = BrowserSession,
    ) -> None:
        self.options = options
        self.concurrency = max(1, concurrency)
        self.restart_after = max(0, restart_after)
        self.memory_budget_mb = memory_budget_mb
        self.gauge = gauge or MemoryGauge()
        self._factory = session_factory
        self._slots = asyncio.Semaphore(self.concurrency)
        self._cond = asyncio.Condition()
        self._current: _Generation | None = None
        self._launched = 0
        self._recent: list[float] = []
        self._over_budget_warned = False
        self._closed = False
        self.restarts = 0
        """Browsers launched after the first one (scheduled restarts, crashes, memory)."""
        self.crashes = 0
        self.info = BrowserInfo()

    async def start(self) -> BrowserInfo:
        """Launch the first browser now, so that setup errors surface before any site starts.

        Raises :class:`ConfigError` when no browser is found or the one named cannot be launched.
        """
        async with self._cond:
            if self._current is None:
                try:
                    self._current = await self._launch()
                except ConfigError:
                    raise
                except Exception as exc:
                    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                    raise ConfigError(f"{NO_BROWSER_REASON}: {first}") from exc
        return self.info

    async def _launch(self) -> _Generation:
        session = self._factory(self.options)
        await session.start()
        self._launched += 1
        if self._launched > 1:
            self.restarts += 1
            log.info("browser %d launched", self._launched)
        self.info = session.info
        return _Generation(session, self._launched)

    async def _close(self, gen: _Generation) -> None:
        try:
            await asyncio.wait_for(gen.session.close(), CLOSE_TIMEOUT)
        except Exception:  # a crashed browser may fail to close; it is gone either way
            log.debug("closing browser %d failed", gen.number, exc_info=True)

    def _over_budget(self) -> bool:
        if self.memory_budget_mb is None:
            return False
        used = self.gauge.used_mb()
        if used is None:
            return False
        now = time.monotonic()
        self._recent = [t for t in self._recent if now - t < 3.0]
        # Sites admitted in the last seconds have not grown yet: count them at their budgeted size.
        return used + SITE_MB * len(self._recent) > self.memory_budget_mb

    @contextlib.asynccontextmanager
    async def lease(self) -> AsyncIterator[BrowserSession]:
        """A browser for one site attempt (waits for a slot, memory, or a browser restart)."""
        async with self._slots:
            gen = await self._acquire()
            try:
                yield gen.session
            finally:
                await self._release(gen)

    async def _acquire(self) -> _Generation:
        async with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError("the browser pool is closed (the run is ending)")
                gen = self._current
                if gen is not None and not gen.retiring:
                    if not gen.healthy():
                        gen.retiring = True
                        gen.crashed = True
                    elif self.restart_after and gen.served >= self.restart_after:
                        gen.retiring = True
                    elif self._over_budget():
                        if gen.active > 0:
                            await self._wait_change(timeout=max(0.1, self.gauge.interval))
                            continue
                        if gen.served > 0:
                            log.info("memory over budget with no site running: restarting the browser")
                            gen.retiring = True
                        elif not self._over_budget_warned:
                            self._over_budget_warned = True
                            log.warning(
                                "a fresh browser already exceeds the memory budget; auditing one site at a time"
                            )
                if gen is not None and gen.retiring:
                    if gen.active > 0:
                        await self._wait_change()
                        continue
                    await self._close(gen)
                    self._current = gen = None
                if gen is None:
                    self._current = gen = await self._launch()
                gen.active += 1
                gen.served += 1
                self._recent.append(time.monotonic())
                return gen

    async def _wait_change(self, timeout: float | None = None) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._cond.wait(), timeout)

    async def _release(self, gen: _Generation) -> None:
        async with self._cond:
            gen.active -= 1
            self._cond.notify_all()

    def mark_crashed(self, session: BrowserSession) -> None:
        """Record that ``session``'s browser died: the next lease launches a fresh one."""
        gen = self._current
        if gen is not None and gen.session is session and not gen.crashed:
            gen.crashed = True
            gen.retiring = True
            self.crashes += 1
            log.warning("browser %d crashed; its sites are retried in a fresh browser", gen.number)

    def is_alive(self, session: BrowserSession) -> bool:
        """Whether ``session``'s browser is still connected."""
        try:
            return session.browser.is_connected()
        except RuntimeError:
            return False

    async def close(self) -> None:
        """Close the live browser (sites still holding leases see it close); no browser is launched after."""
        async with self._cond:
            self._closed = True
            gen, self._current = self._current, None
            self._cond.notify_all()
        if gen is not None:
            await self._close(gen)


# --- the per-site unit of work --------------------------------------------------------------------


@dataclass(frozen=True)
class AuditPlan:
    """What to audit and how; everything validated before a browser starts."""

    sites: tuple[SiteConfig, ...]
    options: AuditOptions
    out_dir: Path
    postprocess: PostProcess = identity
    arguments: tuple[str, ...] = field(default_factory=lambda: tuple(sys.argv))
    rule_packs: tuple[str, ...] = ()
    rule_ids: tuple[str, ...] = ()
    """Every rule the post-processing evaluates (recorded in ``results.json``)."""
    data: tuple[DataInfo, ...] = ()
    """The community data sets the post-processing classifies with (recorded in ``results.json``)."""
    enrich: Callable[[SiteResult], Awaitable[SiteResult]] | None = None
    """Asynchronous I/O on a collected site before post-processing (CNAME resolution); ``None``: none."""
    resume: bool = False
    """Skip sites already in ``out_dir``'s journal (else the journal is started afresh)."""
    restart_after: int = DEFAULT_RESTART_AFTER
    """Replace the browser after this many sites (0: never, except after a crash)."""
    memory_budget_mb: int | None = None
    """PSS of the process tree (per Dask worker) above which no new site starts; ``None``: no limit."""


def site_timeout(options: AuditOptions) -> float:
    """Seconds after which one attempt at a site is abandoned (a hung browser call): every wait, twice, plus slack."""
    per_context = 2 * options.timeout + 3 * options.quiet_cap + 2 * options.banner_timeout + options.dwell
    return 2 * per_context + 60.0


_RETRY_HTTP = re.compile(r"^HTTP (502|503|504)\b")


def retryable(reason: str | None) -> bool:
    """Whether a site failure is transient: a network glitch, a gateway error (502/503/504), the watchdog."""
    if not reason:
        return False
    return is_transient(reason) or bool(_RETRY_HTTP.match(reason)) or reason.startswith(SITE_TIMEOUT_REASON)


def _failed(site: SiteConfig, reason: str, started: str) -> SiteResult:
    return SiteResult(url=site.url, name=site.name, status="error", error=reason, started=started, finished=_iso_now())


async def audit_site(
    pool: BrowserPool,
    site: SiteConfig,
    plan: AuditPlan,
    *,
    out_dir: Path | None = None,
    collect: Callable[..., Any] = collect_site,
) -> SiteResult:
    """Audit one site: collect its phases (retrying transient failures and browser crashes), post-process.

    Never raises for a site's problems: failures become ``status: error`` with a reason, and every
    attempt is counted in :attr:`SiteResult.attempts`. ``out_dir`` (default ``plan.out_dir``) receives
    the screenshots.
    """
    target = out_dir if out_dir is not None else plan.out_dir
    max_attempts = 1 + max(0, plan.options.retries)
    limit = site_timeout(plan.options)
    attempts = 0
    started = _iso_now()
    while True:
        attempts += 1
        try:
            result, crashed = await _attempt(pool, site, target, collect, limit, started)
        except Exception as exc:  # the browser could not be (re)started: this site fails, the run goes on
            log.exception("no browser for %s", site.url)
            result, crashed = _failed(site, f"{NO_BROWSER_REASON}: {type(exc).__name__}: {exc}", started), True
        retry = crashed or retryable(result.error)
        if result.status == "ok" or not retry or attempts >= max(max_attempts, 2 if crashed else 1):
            break
        log.info("retrying %s after: %s", site.url, result.error)
        await asyncio.sleep(RETRY_BACKOFF * 2 ** (attempts - 1))
    if plan.enrich is not None and result.status == "ok":
        try:
            result = await plan.enrich(result)
        except Exception as exc:  # the site keeps what was collected, and says what is missing
            log.exception("enriching %s failed", site.url)
            note = f"CNAME resolution failed ({type(exc).__name__}: {exc}): cloaked trackers not checked"
            result = replace(
                result, phases={n: replace(p, warnings=(*p.warnings, note)) for n, p in result.phases.items()}
            )
    return apply_postprocess(plan.postprocess, replace(result, attempts=attempts))


async def _attempt(
    pool: BrowserPool, site: SiteConfig, target: Path, collect: Callable[..., Any], limit: float, started: str
) -> tuple[SiteResult, bool]:
    """One attempt at a site in a leased browser: (result, whether the browser crashed meanwhile)."""
    async with pool.lease() as session:
        try:
            result: SiteResult = await asyncio.wait_for(collect(session, site, target), limit)
        except TimeoutError:
            result = _failed(site, f"{SITE_TIMEOUT_REASON} after {limit:.0f} s", started)
        except Exception as exc:  # a bug must cost one site, not the run
            log.exception("internal error while auditing %s", site.url)
            result = _failed(site, f"internal error: {type(exc).__name__}: {exc}", started)
        if pool.is_alive(session):
            return result, False
        pool.mark_crashed(session)
        if result.status == "ok":  # the evidence was complete before the crash: keep it
            return result, False
        if not (result.error or "").startswith("browser"):
            result = replace(result, error=f"browser crashed during the audit ({result.error})")
        return result, True


def apply_postprocess(postprocess: PostProcess, result: SiteResult) -> SiteResult:
    """Run the post-processing of one collected site; a failure keeps the evidence and says the rules did not run."""
    try:
        return postprocess(result)
    except Exception as exc:  # keep the evidence, say the rules could not run
        log.exception("post-processing failed for %s", result.url)
        return replace(result, status="error", error=f"post-processing failed: {type(exc).__name__}: {exc}")


# --- the client side of a run: journal, counts, results.json ------------------------------------------


class RunObserver(Protocol):
    """What an executor tells the caller (the CLI's progress display) while a run goes on."""

    def run_started(self, total: int, resumed: int) -> None:
        """``total`` sites in the plan, ``resumed`` of them already finished in the journal."""

    def site_finished(self, result: SiteResult) -> None:
        """A site was audited and journaled (called from the executor's thread or event loop)."""

    def note(self, message: str) -> None:
        """Something worth telling the user (browser restarted, worker lost, ...)."""


class SiteCallback:
    """A :class:`RunObserver` calling a plain function for each finished site."""

    def __init__(self, fn: Callable[[SiteResult], None]) -> None:
        self.fn = fn

    def run_started(self, total: int, resumed: int) -> None:
        """Nothing to do."""

    def site_finished(self, result: SiteResult) -> None:
        """Call the function."""
        self.fn(result)

    def note(self, message: str) -> None:
        """Nothing to do."""


@dataclass
class RunSummary:
    """What a run leaves for its caller: counts and where the evidence is, never the evidence itself."""

    out_dir: Path
    results_path: Path
    journal_path: Path
    total: int
    """Sites in the plan."""
    resumed: int = 0
    """Sites skipped because the journal already held them (``--resume``)."""
    audited: int = 0
    """Sites audited by this run."""
    ok: int = 0
    """Sites with ``status: ok`` (resumed ones included)."""
    failed: int = 0
    """Sites with ``status: error`` (resumed ones included)."""
    retried: int = 0
    """Sites of this run that needed more than one attempt."""
    interrupted: bool = False
    """The run stopped early (Ctrl-C): the sites not finished are missing from the results."""
    started: str = ""
    finished: str = ""
    browser: BrowserInfo = field(default_factory=BrowserInfo)
    browser_restarts: int = 0
    executor: Executor = "local"
    concurrency: int = 0
    memory_budget_mb: int | None = None
    peak_memory_mb: float | None = None
    """Highest PSS of the local process tree seen by the memory gauge (local executor)."""

    @property
    def missing(self) -> int:
        """Sites of the plan with no result (an interrupted run)."""
        return self.total - self.ok - self.failed

    def load(self) -> RunResult:
        """Read the whole ``results.json`` (every site in memory: for small runs and formats)."""
        return read_results(self.results_path)

    def iter_sites(self) -> Iterator[SiteResult]:
        """Stream the final result of every site, one at a time (journal order), never all in memory."""
        return iter_run_sites(self.journal_path)


def scan_journal(path: Path) -> dict[str, str]:
    """URL → status of every site in a journal (the last line of a URL wins; truncated lines skipped)."""
    out: dict[str, str] = {}
    if not path.exists():
        return out
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                data = json.loads(line)
                out[str(data["url"])] = str(data.get("status", "error"))
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
    return out


iter_run_sites = iter_latest
"""The final result of each site of a journal, one at a time (see :func:`auditor.results.iter_latest`)."""


class RunBook:
    """The client side of any executor: sites left to do, the journal, the counts, ``results.json``.

    Creating it only reads (the journal, for ``--resume``), so an executor can check its browser or
    cluster first and fail without touching ``OUT``. Entering the ``with`` block starts the run (a fresh
    journal unless resuming); :meth:`record` journals each finished site (flushed and fsynced at once);
    :meth:`close` — also on leaving the block by an exception, Ctrl-C included — writes ``results.json``
    from the journal and returns the :class:`RunSummary`.
    """

    def __init__(self, plan: AuditPlan, observer: RunObserver | None = None, executor: Executor = "local") -> None:
        self.plan = plan
        self.observer = observer
        out = plan.out_dir
        journal_path = out / JOURNAL_FILE
        previous = scan_journal(journal_path) if plan.resume else {}
        self.todo: list[SiteConfig] = [s for s in plan.sites if s.url not in previous]
        self.summary = RunSummary(
            out_dir=out,
            results_path=out / RESULTS_FILE,
            journal_path=journal_path,
            total=len(plan.sites),
            resumed=len(plan.sites) - len(self.todo),
            started=_iso_now(),
            executor=executor,
            memory_budget_mb=plan.memory_budget_mb,
            concurrency=plan.options.concurrency,
        )
        wanted = {s.url for s in plan.sites}
        for url, status in previous.items():
            if url in wanted:
                self._count(status)
        self.browser = BrowserInfo()
        """Provenance for ``results.json``: set by the executor once its browser is known."""
        self._journal: Journal | None = None
        self._closed = False

    def begin(self) -> None:
        """Start the run: a fresh journal unless resuming; tell the observer (idempotent)."""
        if self._journal is not None:
            return
        self.plan.out_dir.mkdir(parents=True, exist_ok=True)
        if not self.plan.resume and self.summary.journal_path.exists():
            self.summary.journal_path.unlink()
        self._journal = Journal(self.summary.journal_path)
        if self.observer is not None:
            self.observer.run_started(self.summary.total, self.summary.resumed)

    def _count(self, status: str) -> None:
        if status == "ok":
            self.summary.ok += 1
        else:
            self.summary.failed += 1

    def record(self, result: SiteResult) -> None:
        """Journal one finished site, count it, tell the observer."""
        self.begin()
        assert self._journal is not None
        self._journal.append(result)
        self.summary.audited += 1
        self._count(result.status)
        if result.attempts > 1:
            self.summary.retried += 1
        if self.observer is not None:
            try:
                self.observer.site_finished(result)
            except Exception:  # a display problem must not stop the audit
                log.exception("progress observer failed")

    def note(self, message: str) -> None:
        """Pass a message to the observer."""
        log.info(message)
        if self.observer is not None:
            with contextlib.suppress(Exception):
                self.observer.note(message)

    def close(self, *, interrupted: bool = False) -> RunSummary:
        """Close the journal and write ``results.json`` from it (idempotent)."""
        summary = self.summary
        summary.interrupted = summary.interrupted or interrupted
        if self._closed:
            return summary
        self.begin()
        assert self._journal is not None
        self._closed = True
        self._journal.close()
        summary.finished = _iso_now()
        if self.browser.version:
            summary.browser = self.browser
        plan = self.plan
        header = RunResult(
            tool=ToolInfo("consent-auditor", __version__),
            browser=summary.browser,
            started=summary.started,
            finished=summary.finished,
            arguments=plan.arguments,
            sites=(),
            options=_options_dict(plan.options),
            rule_packs=plan.rule_packs,
            rules=plan.rule_ids,
            data=plan.data,
        )
        write_results_from_journal(header, summary.journal_path, summary.results_path, [s.url for s in plan.sites])
        return summary

    def __enter__(self) -> RunBook:
        self.begin()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        stopped = exc_type is not None and issubclass(exc_type, (KeyboardInterrupt, asyncio.CancelledError))
        self.close(interrupted=stopped)


# --- the local executor ----------------------------------------------------------------------------


async def run_local(plan: AuditPlan, observer: RunObserver | None = None) -> RunSummary:
    """Audit every site of ``plan`` in one browser on this machine; return the :class:`RunSummary`.

    ``plan.options.concurrency`` sites run at once (``0``: :func:`default_concurrency`). The browser is
    launched before anything is written (a missing browser raises ``ConfigError`` and leaves ``OUT`` as
    it was). Each finished site is journaled before the observer hears of it; ``results.json`` is
    assembled from the journal at the end, also when the run is cancelled (Ctrl-C): every finished
    site is kept.
    """
    concurrency = plan.options.concurrency or default_concurrency(plan.memory_budget_mb)
    gauge = MemoryGauge()
    pool = BrowserPool(
        plan.options,
        concurrency=concurrency,
        restart_after=plan.restart_after,
        memory_budget_mb=plan.memory_budget_mb,
        gauge=gauge,
    )
    book = RunBook(plan, observer, "local")
    book.summary.concurrency = concurrency
    try:
        if book.todo:
            book.browser = await pool.start()
        with book:
            sites = iter(book.todo)

            async def worker() -> None:
                for site in sites:
                    restarts = pool.restarts
                    result = await audit_site(pool, site, plan)
                    book.record(result)
                    if pool.restarts != restarts:
                        book.note(f"browser restarted ({pool.restarts} so far, {pool.crashes} after a crash)")
                    book.browser = pool.info

            try:
                await asyncio.gather(*(worker() for _ in range(min(concurrency, len(book.todo)))))
            finally:
                book.summary.browser_restarts = pool.restarts
                gauge.used_mb()
                book.summary.peak_memory_mb = gauge.peak or None
    finally:
        await pool.close()
    return book.summary


def run(plan: AuditPlan, on_site: Callable[[SiteResult], None] | None = None) -> RunResult:
    """Audit ``plan`` on this machine and return the whole :class:`RunResult` (for small runs and tests).

    Reads every site back into memory: large runs use :func:`execute`, which returns a :class:`RunSummary`.
    """
    observer = SiteCallback(on_site) if on_site is not None else None
    return asyncio.run(run_local(plan, observer)).load()


def execute(
    plan: AuditPlan,
    *,
    executor: Executor = "local",
    scheduler: str | None = None,
    observer: RunObserver | None = None,
) -> RunSummary:
    """Run ``plan`` with the chosen executor: ``local`` (this machine) or ``dask`` (workers of ``scheduler``)."""
    if executor == "dask":
        from auditor.distributed import run_dask

        if not scheduler:
            raise ValueError("the dask executor needs a scheduler address (tcp://host:8786)")
        summary: RunSummary = run_dask(plan, scheduler, observer)
        return summary
    return asyncio.run(run_local(plan, observer))


def _options_dict(options: AuditOptions) -> dict[str, object]:
    data: dict[str, object] = to_jsonable(options)
    return data


def _iso_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


__all__: Sequence[str] = (
    "AuditPlan",
    "BrowserPool",
    "RunBook",
    "RunObserver",
    "RunSummary",
    "SiteCallback",
    "audit_site",
    "default_concurrency",
    "default_memory_budget_mb",
    "execute",
    "iter_run_sites",
    "parse_memory",
    "run",
    "run_local",
)
