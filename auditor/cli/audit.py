"""``consent-audit audit`` and ``consent-audit demo``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from auditor.cli.app import ExitCode, app, fail
from auditor.config import AuditOptions, SiteConfig, load_sites, sites_from_urls
from auditor.model import RunResult, SiteResult
from auditor.results import RESULTS_FILE
from auditor.runner import AuditPlan, run
from auditor.yamlutil import ConfigError

OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Directory for results.json, the journal and screenshots.")]
RulesOpt = Annotated[
    list[str] | None,
    typer.Option("--rules", "-r", help="Rule pack: built-in name or YAML file (repeatable). Default: baseline."),
]


def _progress(site: SiteResult) -> None:
    status = "ok" if site.status == "ok" else f"error: {site.error}"
    problems = [f"{p.name}: {p.error}" for p in site.phases.values() if p.status == "error" and p.error]
    print(f"  {site.url}  {status}" + ("".join(f"\n      {p}" for p in problems)), file=sys.stderr, flush=True)


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
) -> RunResult:
    """Validate everything, run the audit, write outputs; exit with the verdict's code."""
    from auditor.pipeline import build_pipeline

    try:
        pipeline = build_pipeline(rules, sites, formats=formats or [])
    except ConfigError as exc:
        fail(str(exc))
    plan = AuditPlan(
        sites=tuple(sites),
        options=options,
        out_dir=out,
        postprocess=pipeline.postprocess,
        rule_packs=pipeline.pack_names,
        resume=resume,
    )
    print(f"Auditing {len(sites)} site(s) → {out}", file=sys.stderr)
    try:
        result = run(plan, on_site=_progress)
    except ConfigError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        print(f"interrupted: finished sites are kept in {out / RESULTS_FILE}", file=sys.stderr)
        raise typer.Exit(130) from None
    code = pipeline.finish(result, out, fail_on=fail_on, baseline=baseline)
    print(f"results: {out / RESULTS_FILE}", file=sys.stderr)
    raise typer.Exit(int(code))


@app.command()
def audit(
    urls: Annotated[list[str] | None, typer.Argument(help="URLs of the pages to audit.")] = None,
    out: OutOpt = Path("audit-out"),
    sites: Annotated[Path | None, typer.Option("--sites", "-s", help="sites.yaml listing the sites.")] = None,
    rules: RulesOpt = None,
    fail_on: Annotated[
        str, typer.Option(help="Exit 1 when a finding is at least this severe: error|warning|info.")
    ] = "error",
    baseline: Annotated[Path | None, typer.Option(help="YAML file of accepted findings (each with a reason).")] = None,
    format: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", help="Extra outputs beside results.json: html, junit, sarif, markdown."),
    ] = None,
    host_resolver_rules: Annotated[
        str | None,
        typer.Option(
            help="Chromium host mapping, e.g. 'MAP www.site.fr 10.0.0.5' (audit staging under production names)."
        ),
    ] = None,
    ignore_https_errors: Annotated[bool, typer.Option(help="Accept invalid TLS certificates.")] = False,
    browser: Annotated[
        str | None,
        typer.Option(help="Chromium executable (else $CONSENT_AUDIT_BROWSER, system Chromium, Playwright's)."),
    ] = None,
    browser_arg: Annotated[list[str] | None, typer.Option(help="Extra Chromium argument (repeatable).")] = None,
    locale: Annotated[str, typer.Option(help="Browser locale (Accept-Language).")] = "fr-FR",
    timezone: Annotated[str, typer.Option(help="Browser time zone.")] = "Europe/Paris",
    timeout: Annotated[float, typer.Option(help="Seconds allowed for a page load.")] = 30.0,
    concurrency: Annotated[int, typer.Option(help="Sites audited at once in one browser.")] = 4,
    dwell: Annotated[float, typer.Option(help="Seconds to stay after a consent click (delayed beacons).")] = 2.5,
    block_third_party_cookies: Annotated[
        bool,
        typer.Option(help="Block third-party cookies like a hardened browser (default: allow, to see every tracker)."),
    ] = False,
    screenshots: Annotated[bool, typer.Option(help="Take a screenshot per phase.")] = True,
    retries: Annotated[int, typer.Option(help="Extra attempts for a site failing with a transient network error.")] = 1,
    resume: Annotated[bool, typer.Option(help="Skip sites already finished in OUT's journal.")] = False,
) -> None:
    """Audit sites in three phases (before consent, after reject, after accept) and check the rule packs."""
    if fail_on not in ("error", "warning", "info"):
        fail(f"--fail-on must be error, warning or info, not {fail_on!r}")
    try:
        site_list: list[SiteConfig] = []
        if sites is not None:
            site_list.extend(load_sites(sites))
        site_list.extend(sites_from_urls(urls or []))
    except ConfigError as exc:
        fail(str(exc))
    if not site_list:
        fail("nothing to audit: give URLs or --sites FILE")
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
        block_third_party_cookies=block_third_party_cookies,
        screenshots=screenshots,
        retries=retries,
    )
    execute(site_list, options, out, rules, fail_on=fail_on, baseline=baseline, formats=format, resume=resume)


@app.command()
def demo(
    out: OutOpt = Path("demo-out"),
    browser: Annotated[str | None, typer.Option(help="Chromium executable.")] = None,
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
