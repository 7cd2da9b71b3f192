"""The local executor: every site of a plan in one browser on this machine, sites concurrent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from auditor.model import RunResult, SiteResult
from auditor.run.journal import RunBook, RunObserver, RunSummary, SiteCallback
from auditor.run.memory import MemoryGauge, default_concurrency
from auditor.run.pool import BrowserPool
from auditor.run.site import AuditPlan, audit_site


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
