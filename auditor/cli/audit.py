"""``consent-audit audit`` and ``consent-audit demo``.

Longer than most modules (~470 lines) for a reason: it is the one place the audit command's options are
declared, checked and turned into an :class:`~auditor.run.AuditPlan`, with their help texts; the work itself
lives below the CLI (:mod:`auditor.run`, :mod:`auditor.pipeline`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from auditor.cli.app import (
    BrowserArgOpt,
    BrowserOpt,
    ExitCode,
    HostRulesOpt,
    IgnoreHttpsOpt,
    LocaleOpt,
    TimeoutOpt,
    app,
    fail,
)
from auditor.config import (
    DEFAULT_PACKS,
    DEFAULT_RESTART_AFTER,
    AuditOptions,
    SiteConfig,
    dedupe_sites,
    load_sites,
    parse_phases,
    sites_from_urls,
)
from auditor.results import RESULTS_FILE
from auditor.yamlutil import ConfigError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from auditor.knowledge.community import CommunityData
    from auditor.model import SiteResult
    from auditor.pipeline import Pipeline
    from auditor.run import Executor, RunSummary

    Enrich = Callable[[SiteResult], Awaitable[SiteResult]]

OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Directory for results.json, the journal and screenshots.")]
RulesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--rules",
        "-r",
        help="Rule pack: built-in name or YAML file (repeatable)."
        f" Default: {', '.join(DEFAULT_PACKS)} (`rules list` marks its rules).",
    ),
]

IN_MEMORY_SITES = 200
"""Up to this many sites, the finished run is loaded whole for the formats and the console summary; above
it (and with no ``--format`` or ``--baseline``), the verdict and counts are streamed from the journal."""


def _streamed_verdict(summary: RunSummary, fail_on: str) -> ExitCode:
    """The exit code of a large run, reading one site at a time (the verdict of :mod:`auditor.verdict`)."""
    from auditor.verdict import exit_code_for_sites

    return ExitCode(exit_code_for_sites(summary.iter_sites(), fail_on))


def _under_ci() -> bool:
    """Whether GitHub Actions wants annotations or a step summary (they need the whole run)."""
    return os.environ.get("GITHUB_ACTIONS") == "true" or bool(os.environ.get("GITHUB_STEP_SUMMARY"))


def _finish(pipeline: Pipeline, summary: RunSummary, out: Path, *, fail_on: str, baseline: Path | None) -> ExitCode:
    """Outputs and verdict: the whole run for small runs (or when formats need it), else streamed."""
    if summary.total <= IN_MEMORY_SITES or baseline is not None or pipeline.formats or _under_ci():
        from auditor.formats import print_console_summary, write_ci_outputs

        done = pipeline.finish(summary.load(), out, fail_on=fail_on, baseline=baseline)
        for path in done.written:
            print(f"wrote {path}", file=sys.stderr)
        for entry in done.fixed:
            print(f"fixed (no longer found, remove from the baseline): {entry}", file=sys.stderr)
        write_ci_outputs(done.run)  # annotations on stderr, step summary
        print_console_summary(done.run)
        return ExitCode(done.exit_code)
    code = _streamed_verdict(summary, fail_on)
    print(
        f"{summary.total} site(s): {summary.ok} audited, {summary.failed} could not be audited; exit code {int(code)}",
        file=sys.stderr,
    )
    return code


def _cname_enricher(community: CommunityData, *, dns: bool, dns_server: str | None) -> Enrich | None:
    """CNAME resolution of first-party hosts, when a CNAME tracker list is in the data cache and DNS is on."""
    if not dns or not community.cname_lists:
        return None
    from auditor.knowledge.cname import CnameResolver

    return CnameResolver(dns_server).annotate_site


def execute(
    sites: list[SiteConfig],
    options: AuditOptions,
    out: Path,
    rules: list[str] | None,
    *,
    fail_on: str = "error",
    baseline: Path | None = None,
    formats: list[str] | None = None,
    resume: bool = False,
    retry_failed: bool = False,
    executor: Executor = "local",
    scheduler: str | None = None,
    restart_after: int = DEFAULT_RESTART_AFTER,
    memory_budget_mb: int | None = None,
    knowledge: list[Path] | None = None,
    dns: bool = True,
    dns_server: str | None = None,
) -> NoReturn:
    """Validate everything, run the audit, write outputs; exit with the verdict's code."""
    from auditor.cli.progress import make_progress
    from auditor.knowledge.community import load_community
    from auditor.knowledge.datacache import DataError, data_dir
    from auditor.pipeline import build_pipeline
    from auditor.run import AuditPlan
    from auditor.run import execute as run_plan
    from auditor.run.journal import JournalError

    try:
        community = load_community(data_dir())
        pipeline = build_pipeline(
            rules,
            sites,
            knowledge=list(knowledge or []),
            formats=formats or [],
            community=community,
            keep_values=options.keep_values,
        )
    except (ConfigError, DataError) as exc:
        fail(str(exc))
    plan = AuditPlan(
        sites=tuple(sites),
        options=options,
        out_dir=out,
        postprocess=pipeline.postprocess,
        rule_packs=pipeline.pack_names,
        rule_ids=pipeline.rule_ids,
        data=pipeline.data,
        enrich=_cname_enricher(community, dns=dns, dns_server=dns_server),
        resume=resume,
        retry_failed=retry_failed,
        fail_on=fail_on,
        restart_after=restart_after,
        memory_budget_mb=memory_budget_mb,
    )
    where = f"on the Dask cluster {scheduler}" if executor == "dask" else f"{options.concurrency} at a time"
    print(f"Auditing {len(sites)} site(s), {where} → {out}", file=sys.stderr)
    terminated: list[int] = []
    try:
        with make_progress() as progress, _sigterm_as_interrupt(terminated):
            summary = run_plan(plan, executor=executor, scheduler=scheduler, observer=progress)
    except ConfigError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        what = "terminated (SIGTERM)" if terminated else "interrupted"
        print(f"{what}: finished sites are kept in {out / RESULTS_FILE} (rerun with --resume)", file=sys.stderr)
        raise typer.Exit(EXIT_TERMINATED if terminated else 130) from None
    except _cluster_errors() as exc:
        fail(str(exc))
    except JournalError as exc:
        fail(str(exc), ExitCode.SITE_FAILED)
    code = _finish(pipeline, summary, out, fail_on=fail_on, baseline=baseline)
    print(_run_line(summary), file=sys.stderr)
    print(f"results: {summary.results_path}", file=sys.stderr)
    raise typer.Exit(int(code))


EXIT_TERMINATED = 143
"""Exit code of a run stopped by SIGTERM (128 + 15); Ctrl-C gives 130. Both write ``results.json`` first."""


@contextlib.contextmanager
def _sigterm_as_interrupt(terminated: list[int]) -> Iterator[None]:
    """While the run lasts, SIGTERM stops it as Ctrl-C does (sites in flight abandoned, the journal closed,
    ``results.json`` written from it); ``terminated`` records that it came. Main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(signum: int, frame: object) -> None:
        terminated.append(signum)
        signal.raise_signal(signal.SIGINT)  # the event loop's own Ctrl-C handling takes it from here

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_line(summary: RunSummary) -> str:
    """One line about the run itself: sites audited, retries, browser restarts, peak memory."""
    parts = [f"{summary.audited} site(s) audited this run"]
    if summary.resumed:
        parts.append(f"{summary.resumed} resumed from the journal")
    if summary.retried:
        parts.append(f"{summary.retried} needed a retry")
    if summary.browser_restarts:
        parts.append(f"{summary.browser_restarts} browser restart(s)")
    if summary.peak_memory_mb:
        parts.append(f"peak memory {summary.peak_memory_mb:.0f} MB (PSS)")
    return "run: " + ", ".join(parts)


def _cluster_errors() -> tuple[type[Exception], ...]:
    """Errors of the Dask executor that mean "fix the command line" (exit 2), when Dask is installed."""
    try:
        from auditor.run.dask import ClusterError
    except ImportError:
        return ()
    return (ClusterError,)


@app.command()
def audit(
    urls: Annotated[list[str] | None, typer.Argument(help="URLs of the pages to audit.")] = None,
    out: OutOpt = Path("audit-out"),
    sites: Annotated[Path | None, typer.Option("--sites", "-s", help="sites.yaml listing the sites.")] = None,
    rules: RulesOpt = None,
    policy: Annotated[
        str | None,
        typer.Option(
            help="auto: draft each site's own policy (its banner's promises, consent manager configuration and cookie"
            " table; one extra visit per site) into OUT/policies/ and check it in the same run."
        ),
    ] = None,
    fail_on: Annotated[
        str, typer.Option(help="Exit 1 when a finding is at least this severe: error|warning|info.")
    ] = "error",
    baseline: Annotated[Path | None, typer.Option(help="YAML file of accepted findings (each with a reason).")] = None,
    knowledge: Annotated[
        list[Path] | None,
        typer.Option(
            "--knowledge", "-k", help="Extra knowledge-base YAML (trackers, cookies) overriding the built-in one."
        ),
    ] = None,
    dns: Annotated[
        bool,
        typer.Option(
            help="Resolve the CNAME chains of first-party hosts to find cloaked trackers (when 'data update' fetched"
            " a CNAME tracker list)."
        ),
    ] = True,
    dns_server: Annotated[
        str | None, typer.Option(help="DNS server for --dns, IP or IP:PORT (default: the system's resolvers).")
    ] = None,
    format: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", help="Extra outputs beside results.json: html, junit, sarif, markdown."),
    ] = None,
    host_resolver_rules: HostRulesOpt = None,
    ignore_https_errors: IgnoreHttpsOpt = False,
    browser: BrowserOpt = None,
    browser_arg: BrowserArgOpt = None,
    locale: LocaleOpt = "fr-FR",
    timezone: Annotated[str, typer.Option(help="Browser time zone.")] = "Europe/Paris",
    timeout: TimeoutOpt = 30.0,
    concurrency: Annotated[
        int | None,
        typer.Option(help="Sites audited at once in one browser (default: from the cores, within the memory budget)."),
    ] = None,
    dwell: Annotated[float, typer.Option(help="Seconds to stay after a consent click (delayed beacons).")] = 2.5,
    phases: Annotated[
        str,
        typer.Option(
            help="Phases to audit, comma-separated: before,reject,accept (the default; before and reject always) "
            "plus ignore (never answer: scroll, dwell, second page), gpc (send Global Privacy Control), "
            "withdraw (accept, reopen the choices through the page's way back, refuse, reload).",
        ),
    ] = "before,reject,accept",
    block_third_party_cookies: Annotated[
        bool,
        typer.Option(help="Block third-party cookies like a hardened browser (default: allow, to see every tracker)."),
    ] = False,
    screenshots: Annotated[bool, typer.Option(help="Take a screenshot per phase.")] = True,
    sandbox: Annotated[
        bool | None,
        typer.Option(
            "--sandbox/--no-sandbox",
            help="Chromium's sandbox (a non-root user with user namespaces). Default: $CONSENT_AUDIT_SANDBOX or off.",
        ),
    ] = None,
    retries: Annotated[int, typer.Option(help="Extra attempts for a site failing with a transient network error.")] = 1,
    keep_values: Annotated[
        bool,
        typer.Option(
            "--keep-values",
            help="Keep cookie values, identifiers in URLs and TC strings raw in results.json, the journal and "
            "every output (default: redacted, their shape and a keyed hash kept; recorded in results.json options).",
        ),
    ] = False,
    site_timeout: Annotated[
        float | None,
        typer.Option(
            min=1.0,
            help="Seconds one site may cost in all, retries included (a stuck page is abandoned then). "
            "Default: 3 x --timeout, at least 90.",
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            help="Skip sites already finished in OUT's journal; their saved evidence is evaluated again with the "
            "current --rules (no browser)."
        ),
    ] = False,
    retry_failed: Annotated[
        bool,
        typer.Option(
            "--retry-failed",
            help="Like --resume, but audit again the sites that failed (status error) in OUT's journal.",
        ),
    ] = False,
    executor: Annotated[
        str, typer.Option(help="Where sites are audited: local (this machine) or dask (workers of --scheduler).")
    ] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address for --executor dask, e.g. tcp://10.0.0.2:8786.")
    ] = None,
    memory_budget: Annotated[
        str | None,
        typer.Option(
            help="Memory (PSS) of the browser and this process (per worker with dask) above which no new site "
            "starts, e.g. 1.5G or 1500M. Default: half the memory available."
        ),
    ] = None,
    restart_after: Annotated[
        int, typer.Option(help="Replace the browser with a fresh one after this many sites (0: only after a crash).")
    ] = DEFAULT_RESTART_AFTER,
) -> None:
    """Audit sites in phases (before consent, after reject, after accept, --phases adds more); check the rule packs."""
    if fail_on not in ("error", "warning", "info"):
        fail(f"--fail-on must be error, warning or info, not {fail_on!r}")
    if policy not in (None, "auto"):
        fail(f"--policy takes 'auto' (draft each site's own policy), not {policy!r}")
    try:
        chosen_phases = parse_phases(phases)
        site_list: list[SiteConfig] = []
        if sites is not None:
            site_list.extend(load_sites(sites))
        site_list.extend(sites_from_urls(urls or []))
    except ConfigError as exc:
        fail(str(exc))
    if not site_list:
        fail("nothing to audit: give URLs or --sites FILE")
    site_list, repeated = dedupe_sites(site_list)
    for warning in repeated:
        print(f"warning: {warning}", file=sys.stderr)
    chosen_executor, budget, concurrency = _scale_options(
        executor, scheduler, memory_budget, restart_after, concurrency
    )
    options = AuditOptions(
        browser=browser,
        host_resolver_rules=host_resolver_rules,
        ignore_https_errors=ignore_https_errors,
        extra_browser_args=tuple(browser_arg or ()),
        locale=locale,
        timezone=timezone,
        timeout=timeout,
        concurrency=concurrency,
        dwell=dwell,
        phases=chosen_phases,
        block_third_party_cookies=block_third_party_cookies,
        screenshots=screenshots,
        retries=retries,
        site_timeout=site_timeout,
        sandbox=sandbox,
        keep_values=keep_values,
    )
    if policy == "auto":
        from auditor.cli.autopolicy import draft_policies

        site_list = draft_policies(site_list, options, out, reuse=resume or retry_failed)
    execute(
        site_list,
        options,
        out,
        rules,
        fail_on=fail_on,
        baseline=baseline,
        formats=format,
        resume=resume,
        retry_failed=retry_failed,
        executor=chosen_executor,
        scheduler=scheduler,
        restart_after=restart_after,
        memory_budget_mb=budget,
        knowledge=knowledge,
        dns=dns,
        dns_server=dns_server,
    )


def _scale_options(
    executor: str, scheduler: str | None, memory_budget: str | None, restart_after: int, concurrency: int | None
) -> tuple[Executor, int | None, int]:
    """Check ``--executor``, ``--scheduler``, ``--memory-budget``, ``--restart-after`` and ``--concurrency``.

    Returns (executor, memory budget in MiB, concurrency); exits 2 on a bad value, before any browser starts.
    With Dask, an unset budget stays ``None``: each worker then takes half of *its* available memory.
    """
    from auditor.run import default_concurrency, default_memory_budget_mb

    if executor not in ("local", "dask"):
        fail(f"--executor must be local or dask, not {executor!r}")
    if executor == "dask":
        if not scheduler:
            fail("--executor dask needs --scheduler tcp://HOST:8786 (see docs/scaling.md)")
        try:
            import distributed  # noqa: F401
        except ImportError:
            fail("--executor dask needs Dask: pip install 'consent-auditor[dask]'")
    elif scheduler:
        fail("--scheduler is only used with --executor dask")
    from auditor.run.memory import parse_memory

    try:
        budget = parse_memory(memory_budget) if memory_budget else None
    except ValueError as exc:
        fail(f"--memory-budget: {exc}")
    if restart_after < 0:
        fail("--restart-after must be 0 (never) or a number of sites")
    if concurrency is not None and concurrency < 1:
        fail("--concurrency must be at least 1")
    if executor == "local" and budget is None:
        budget = default_memory_budget_mb()
    return executor, budget, concurrency or default_concurrency(budget)  # type: ignore[return-value]


@app.command()
def demo(
    out: OutOpt = Path("demo-out"),
    browser: BrowserOpt = None,
) -> None:
    """Serve the built-in French news demo site on loopback and audit it (offline)."""
    from auditor.fixtureweb import FixtureWeb

    with FixtureWeb() as web:
        url = web.url("www.le-quotidien-demo.fr", "/")
        options = AuditOptions(browser=browser, extra_browser_args=tuple(web.chromium_args))
        site = SiteConfig(url=url, name="Le Quotidien Démo")
        print(f"Demo site served on loopback as {url}", file=sys.stderr)
        try:
            execute([site], options, out, ["sites/le-quotidien-demo"], formats=["html"])
        except typer.Exit as exit_:
            if exit_.exit_code in (ExitCode.OK, ExitCode.FINDINGS):
                print(f"report: {out / 'report.html'}", file=sys.stderr)
                # The demo site has a deliberate pre-consent tracker: findings are the expected outcome.
                raise typer.Exit(0) from None
            raise
