"""The per-site unit of work: the plan of a run, one attempt at a site, retries, post-processing.

:func:`audit_site` (collect → post-process, with retries) is what every executor calls for each site:
:mod:`auditor.run.local` in one browser on this machine, :mod:`auditor.run.dask` on cluster workers.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from auditor.browser.collect import collect_site, is_transient
from auditor.config import DEFAULT_RESTART_AFTER, AuditOptions, SiteConfig
from auditor.model import DataInfo, SiteResult, iso_now
from auditor.run.pool import NO_BROWSER_REASON, BrowserPool

log = logging.getLogger(__name__)

PostProcess = Callable[[SiteResult], SiteResult]
"""Pure step applied to each collected site (classification, rule evaluation)."""

Executor = Literal["local", "dask"]
"""Where the per-site audits run: this machine, or Dask distributed workers."""

SITE_TIMEOUT_REASON = "the audit of the site timed out"
"""Start of the error of a site abandoned by the watchdog (not retried: a stuck page stays stuck)."""
BUDGET_FACTOR = 3
"""A site may cost this many times ``--timeout``, retries included (:func:`site_budget`)."""
MIN_SITE_BUDGET = 90.0
"""Seconds a site may always cost, however short ``--timeout`` is: a healthy site's two contexts fit."""
KILL_GRACE = 5.0
"""Seconds allowed to close the pages of an abandoned attempt before the whole browser is replaced."""
RETRY_BACKOFF = 1.0
"""Seconds before the second attempt of a site (doubled for each further attempt)."""


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
    rule_ids: tuple[str, ...] = ()
    """Every rule the post-processing evaluates (recorded in ``results.json``)."""
    data: tuple[DataInfo, ...] = ()
    """The community data sets the post-processing classifies with (recorded in ``results.json``)."""
    enrich: Callable[[SiteResult], Awaitable[SiteResult]] | None = None
    """Asynchronous I/O on a collected site before post-processing (CNAME resolution); ``None``: none."""
    resume: bool = False
    """Skip sites already in ``out_dir``'s journal (else the journal is started afresh); their saved
    evidence is evaluated again with the current ``postprocess`` (packs), with no browser."""
    retry_failed: bool = False
    """Resume, but audit again the sites the journal holds as failed (``status: error``)."""
    fail_on: str = "error"
    """The ``--fail-on`` threshold, recorded in ``results.json`` (``RunResult.fail_on``) for every output."""
    restart_after: int = DEFAULT_RESTART_AFTER
    """Replace the browser after this many sites (0: never, except after a crash)."""
    memory_budget_mb: int | None = None
    """PSS of the process tree (per Dask worker) above which no new site starts; ``None``: no limit."""


def site_timeout(options: AuditOptions) -> float:
    """Seconds after which one attempt at a site is abandoned (a hung browser call): every wait, twice, plus slack.

    Never more than the site's whole :func:`site_budget`."""
    per_context = 2 * options.timeout + 3 * options.quiet_cap + 2 * options.banner_timeout + options.dwell
    return min(2 * per_context + 60.0, site_budget(options))


def site_budget(options: AuditOptions) -> float:
    """Seconds one site may cost in all, retries included: ``--site-timeout``, else three times ``--timeout``
    (at least :data:`MIN_SITE_BUDGET`). A stuck page never holds its site longer, nor the other sites."""
    if options.site_timeout is not None:
        return options.site_timeout
    return max(BUDGET_FACTOR * options.timeout, MIN_SITE_BUDGET)


_RETRY_HTTP = re.compile(r"(?:^|: )HTTP (502|503|504)\b")
"""A gateway error, of the first view or of one context (``accept context failed: HTTP 503``)."""


def retryable(reason: str | None) -> bool:
    """Whether a site failure is transient: a network glitch, a gateway error (502/503/504).

    A watchdog timeout is not: the page that stopped answering would stop answering again."""
    if not reason or SITE_TIMEOUT_REASON in reason:
        return False
    return is_transient(reason) or bool(_RETRY_HTTP.search(reason))


def failed_site(site: SiteConfig, reason: str, started: str | None = None) -> SiteResult:
    """The result of a site that could not be audited: ``status: error`` with ``reason`` (no evidence)."""
    finished = iso_now()
    return SiteResult(
        url=site.url, name=site.name, status="error", error=reason, started=started or finished, finished=finished
    )


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
    loop = asyncio.get_running_loop()
    deadline = loop.time() + site_budget(plan.options)
    attempts = 0
    started = iso_now()
    while True:
        attempts += 1
        limit = min(site_timeout(plan.options), max(1.0, deadline - loop.time()))
        try:
            result, crashed = await _attempt(pool, site, target, collect, limit, started)
        except Exception as exc:  # the browser could not be (re)started: this site fails, the run goes on
            log.exception("no browser for %s", site.url)
            result, crashed = failed_site(site, f"{NO_BROWSER_REASON}: {type(exc).__name__}: {exc}", started), True
        stuck = SITE_TIMEOUT_REASON in (result.error or "")
        retry = (crashed and not stuck) or retryable(result.error)
        backoff = RETRY_BACKOFF * 2 ** (attempts - 1)
        room = deadline - loop.time() - backoff >= min(plan.options.timeout, MIN_SITE_BUDGET / 3)
        if result.status == "ok" or not retry or attempts >= max(max_attempts, 2 if crashed else 1):
            break
        if not room:  # no time left for another attempt within the site's budget
            result = replace(
                result, error=f"{result.error} (not retried: the site's {site_budget(plan.options):.0f} s are spent)"
            )
            break
        log.info("retrying %s after: %s", site.url, result.error)
        await asyncio.sleep(backoff)
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
        task = asyncio.ensure_future(collect(session, site, target))
        try:
            done, _ = await asyncio.wait({task}, timeout=limit)
        except BaseException:  # the run itself is cancelled (SIGTERM): the attempt goes with it
            task.cancel()
            raise
        if task in done and task.exception() is None:
            result: SiteResult = task.result()
        elif task in done:
            exc = task.exception()
            log.error("internal error while auditing %s", site.url, exc_info=exc)
            result = failed_site(site, f"internal error: {type(exc).__name__}: {exc}", started)
        else:
            result = failed_site(site, await _abandon(pool, session, site, task, limit), started)
        if pool.is_alive(session):
            return result, False
        pool.mark_crashed(session)
        if result.status == "ok":  # the evidence was complete before the crash: keep it
            return result, False
        if not (result.error or "").startswith("browser"):
            result = replace(result, error=f"browser crashed during the audit ({result.error})")
        return result, True


async def _abandon(pool: BrowserPool, session: Any, site: SiteConfig, task: asyncio.Future[Any], limit: float) -> str:
    """Give up an attempt that outlived ``limit``: close its pages (killing a renderer that no longer
    answers), cancel it, and replace the browser when even that does not happen in time. Returns the reason."""
    closed = True
    discard = getattr(session, "discard_site", None)
    if discard is not None:
        closed = await discard(site, KILL_GRACE)
    task.cancel()
    finished, _ = await asyncio.wait({task}, timeout=KILL_GRACE)
    reason = f"{SITE_TIMEOUT_REASON} after {limit:.0f} s: the page stopped answering (a script that never yields?)"
    if closed and finished:
        return f"{reason}; its pages were closed"
    log.warning("the browser did not give up %s within %g s: replacing it", site.url, KILL_GRACE)
    pool.mark_crashed(session)
    return f"{reason}; the browser did not answer either and was replaced"


def apply_postprocess(postprocess: PostProcess, result: SiteResult) -> SiteResult:
    """Run the post-processing of one collected site; a failure keeps the evidence and says the rules did not run."""
    try:
        return postprocess(result)
    except Exception as exc:  # keep the evidence, say the rules could not run
        log.exception("post-processing failed for %s", result.url)
        return replace(result, status="error", error=f"post-processing failed: {type(exc).__name__}: {exc}")
