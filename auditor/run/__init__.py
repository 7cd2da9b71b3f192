"""Running an audit: many sites, each result journaled the moment it is finished.

The package, one module per idea:

* :mod:`~auditor.run.site` — the plan of a run and the per-site unit of work (:func:`audit_site`:
  collect → post-process, with retries), which every executor calls;
* :mod:`~auditor.run.pool` — :class:`BrowserPool`: one live Chromium at a time, at most ``concurrency``
  sites in it, no new site while the process tree is over its memory budget, and a fresh browser after
  ``restart_after`` sites or after a crash (the sites it was auditing are retried in the new one);
* :mod:`~auditor.run.memory` — defaults from the machine (concurrency, memory budget) and the
  memory gauge;
* :mod:`~auditor.run.journal` — :class:`RunBook`, the client side of a run: what is left to do
  (``--resume``), the journal, the counts, and ``results.json`` assembled from the journal at the end
  (also after Ctrl-C or a crash); :class:`RunSummary`, what a run returns;
* :mod:`~auditor.run.local` and :mod:`~auditor.run.dask` — the two executors; :func:`execute` below is
  the one place where one is chosen.
"""

from __future__ import annotations

import asyncio

from auditor.config import DEFAULT_RESTART_AFTER
from auditor.run.journal import RunBook, RunObserver, RunSummary, SiteCallback, iter_run_sites, scan_journal
from auditor.run.local import run, run_local
from auditor.run.memory import default_concurrency, default_memory_budget_mb, parse_memory
from auditor.run.pool import BrowserPool
from auditor.run.site import AuditPlan, Executor, PostProcess, audit_site, identity


def execute(
    plan: AuditPlan,
    *,
    executor: Executor = "local",
    scheduler: str | None = None,
    observer: RunObserver | None = None,
) -> RunSummary:
    """Run ``plan`` with the chosen executor: ``local`` (this machine) or ``dask`` (workers of ``scheduler``)."""
    if executor == "dask":
        from auditor.run.dask import run_dask

        if not scheduler:
            raise ValueError("the dask executor needs a scheduler address (tcp://host:8786)")
        summary: RunSummary = run_dask(plan, scheduler, observer)
        return summary
    return asyncio.run(run_local(plan, observer))


__all__ = [
    "DEFAULT_RESTART_AFTER",
    "AuditPlan",
    "BrowserPool",
    "Executor",
    "PostProcess",
    "RunBook",
    "RunObserver",
    "RunSummary",
    "SiteCallback",
    "audit_site",
    "default_concurrency",
    "default_memory_budget_mb",
    "execute",
    "identity",
    "iter_run_sites",
    "parse_memory",
    "run",
    "run_local",
    "scan_journal",
]
