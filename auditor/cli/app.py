"""The Typer application object, exit codes and the shared error-reporting helpers of the CLI.

Only the CLI prints summaries and exits; everything below it raises or returns data.
Command modules (``auditor/cli/*.py``) register their commands on :data:`app`.
"""

from __future__ import annotations

import sys
from enum import IntEnum
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from auditor.verdict import EXIT_FINDINGS, EXIT_OK, EXIT_SITE_FAILED, EXIT_USAGE

if TYPE_CHECKING:
    from auditor.config import AuditOptions, SiteConfig

app = typer.Typer(
    name="consent-audit",
    help="Audit cookie consent: what a site stores and sends before consent, after reject and after accept.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class ExitCode(IntEnum):
    """The documented exit codes of ``consent-audit`` (values from :mod:`auditor.verdict`)."""

    OK = EXIT_OK
    """Clean: no finding at or above ``--fail-on`` and nothing left unevaluated."""
    FINDINGS = EXIT_FINDINGS
    """Findings at or above ``--fail-on`` (or, for ``diff``, a new error finding)."""
    USAGE = EXIT_USAGE
    """Usage, configuration or rule-pack error: nothing was audited."""
    SITE_FAILED = EXIT_SITE_FAILED
    """Evidence is missing: a site could not be audited, or is incomplete (for ``diff``: lost evidence)."""


def fail(message: str, code: ExitCode = ExitCode.USAGE) -> NoReturn:
    """Print ``consent-audit: error: MESSAGE`` to stderr and exit with ``code``."""
    print(f"consent-audit: error: {message}", file=sys.stderr)
    raise typer.Exit(int(code))


# Browser options shared by every command that drives a browser (audit, probe, demo).
HostRulesOpt = Annotated[
    str | None,
    typer.Option(help="Chromium host mapping, e.g. 'MAP www.site.fr 10.0.0.5' (audit staging under production names)."),
]
IgnoreHttpsOpt = Annotated[bool, typer.Option(help="Accept invalid TLS certificates.")]
BrowserOpt = Annotated[
    str | None,
    typer.Option(help="Chromium executable (else $CONSENT_AUDIT_BROWSER, system Chromium, Playwright's)."),
]
BrowserArgOpt = Annotated[list[str] | None, typer.Option(help="Extra Chromium argument (repeatable).")]
LocaleOpt = Annotated[str, typer.Option(help="Browser locale (Accept-Language).")]
TimeoutOpt = Annotated[float, typer.Option(help="Seconds allowed for a page load.")]


def one_page_visit(
    url: str,
    *,
    browser: str | None,
    host_resolver_rules: str | None,
    ignore_https_errors: bool,
    browser_arg: list[str] | None,
    locale: str,
    timeout: float,
    banner_timeout: float,
) -> tuple[SiteConfig, AuditOptions]:
    """The site and options of a command that looks at one page without auditing it (``probe``, ``policy
    draft``): the shared browser options, no screenshots. A bad URL ends the command (exit 2)."""
    from auditor.config import AuditOptions, sites_from_urls
    from auditor.yamlutil import ConfigError

    try:
        (site,) = sites_from_urls([url])
    except ConfigError as exc:
        fail(str(exc))
    options = AuditOptions(
        browser=browser,
        host_resolver_rules=host_resolver_rules,
        ignore_https_errors=ignore_https_errors,
        extra_browser_args=tuple(browser_arg or ()),
        locale=locale,
        timeout=timeout,
        banner_timeout=banner_timeout,
        screenshots=False,
    )
    return site, options
