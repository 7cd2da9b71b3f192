"""Running an audit: many sites in one browser, each result journaled the moment it is finished.

:func:`audit_site` is the per-site unit of work (collect → post-process, with retries); executors
call it: :func:`run_local` runs sites concurrently in one browser; the Dask executor
(``auditor.distributed``) runs the same function on cluster workers. A run never holds all results
in memory: finished sites go to ``journal.jsonl`` and ``results.json`` is assembled from it.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from auditor import __version__
from auditor.browser.collect import collect_site, is_transient
from auditor.browser.session import BrowserSession
from auditor.config import AuditOptions, SiteConfig
from auditor.model import BrowserInfo, RunResult, SiteResult, ToolInfo
from auditor.results import JOURNAL_FILE, RESULTS_FILE, Journal, iter_journal, write_results_from_journal

PostProcess = Callable[[SiteResult], SiteResult]
"""Pure step applied to each collected site (classification, rule evaluation)."""


def identity(site: SiteResult) -> SiteResult:
    """The post-processing step that does nothing."""
    return site


@dataclass(frozen=True)
class AuditPlan:
    """What to audit and how; everything validated before a browser starts."""

    sites: tuple[SiteConfig, ...]
    options: AuditOptions
    out_dir: Path
    postprocess: PostProcess = identity
    arguments: tuple[str, ...] = field(default_factory=lambda: tuple(sys.argv))
    rule_packs: tuple[str, ...] = ()
    resume: bool = False


async def audit_site(session: BrowserSession, site: SiteConfig, plan: AuditPlan) -> SiteResult:
    """Audit one site: collect its phases (retrying transient failures), then post-process."""
    attempts = 0
    while True:
        attempts += 1
        result = await collect_site(session, site, plan.out_dir)
        if result.status == "ok" or attempts > plan.options.retries or not is_transient(result.error):
            break
    return plan.postprocess(replace(result, attempts=attempts))


def finished_urls(out_dir: Path) -> set[str]:
    """URLs already in the journal of ``out_dir`` (for ``--resume``)."""
    return {site.url for site in iter_journal(out_dir / JOURNAL_FILE)}


async def run_local(
    plan: AuditPlan,
    on_site: Callable[[SiteResult], None] | None = None,
) -> RunResult:
    """Audit every site of ``plan`` in one browser, ``options.concurrency`` at a time.

    Each finished site is appended to the journal before ``on_site`` is called; ``results.json`` is
    written at the end (also after Ctrl-C: the finished sites are kept).
    """
    plan.out_dir.mkdir(parents=True, exist_ok=True)
    journal_path = plan.out_dir / JOURNAL_FILE
    if not plan.resume and journal_path.exists():
        journal_path.unlink()
    done = finished_urls(plan.out_dir) if plan.resume else set()
    todo = [s for s in plan.sites if s.url not in done]
    started = _iso_now()
    browser_info = BrowserInfo()
    semaphore = asyncio.Semaphore(max(1, plan.options.concurrency))
    with Journal(journal_path) as journal:

        async def one(site: SiteConfig) -> None:
            async with semaphore:
                result = await audit_site(session, site, plan)
            journal.append(result)
            if on_site is not None:
                on_site(result)

        try:
            if todo:
                async with BrowserSession(plan.options) as session:
                    browser_info = session.info
                    await asyncio.gather(*(one(s) for s in todo))
        finally:
            header = RunResult(
                tool=ToolInfo("consent-auditor", __version__),
                browser=browser_info,
                started=started,
                finished=_iso_now(),
                arguments=plan.arguments,
                sites=(),
                options=_options_dict(plan.options),
                rule_packs=plan.rule_packs,
            )
            write_results_from_journal(header, journal_path, plan.out_dir / RESULTS_FILE, [s.url for s in plan.sites])
    from auditor.results import read_results

    return read_results(plan.out_dir / RESULTS_FILE)


def _options_dict(options: AuditOptions) -> dict[str, object]:
    from auditor.model import to_jsonable

    data: dict[str, object] = to_jsonable(options)
    return data


def _iso_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def run(plan: AuditPlan, on_site: Callable[[SiteResult], None] | None = None) -> RunResult:
    """Synchronous entry point for :func:`run_local`."""
    return asyncio.run(run_local(plan, on_site))


__all__: Sequence[str] = ("AuditPlan", "audit_site", "run", "run_local")
