"""``consent-audit probe URL``: a quick look at a page's consent interface, no rules, no results file.

Which consent manager (and the signals that betrayed it), which controls on which layer and in which
frame, and what an audit would click for reject and accept. It clicks nothing that makes a choice:
only a settings control, when reject or accept is not on the first layer, to list the second layer.
The report goes to stdout (``--json`` for machine output); errors to stderr. Exit codes: 0 the page
was probed (whatever was found), 2 usage error, 3 the page could not be loaded.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Annotated, Any

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
    one_page_visit,
)
from auditor.config import AuditOptions, SiteConfig
from auditor.formats.text import one_line, printable
from auditor.model import to_jsonable
from auditor.yamlutil import ConfigError


async def run_probe(site: SiteConfig, options: AuditOptions) -> Any:
    """Open one browser context on ``site``, load it and probe it; returns a :class:`ProbeReport`."""
    from auditor.browser.consent import ProbeReport, probe_page
    from auditor.browser.pageview import Unreachable, opened
    from auditor.browser.session import BrowserSession

    async with BrowserSession(options) as session:
        try:
            async with opened(session, site, options.timeout) as (_context, page):
                return await probe_page(page, site, banner_timeout=options.banner_timeout)
        except Unreachable as exc:
            return ProbeReport(url=site.url, final_url=None, error=str(exc))


def render(report: Any) -> str:
    """The human-readable form of a :class:`ProbeReport`."""
    lines = [f"URL        {report.url}"]
    if report.final_url and report.final_url != report.url:
        lines.append(f"final URL  {report.final_url}")
    if report.error:
        lines.append(f"error      {report.error}")
        return "\n".join(lines)
    lines.append(f"CMP        {report.cmp or 'none recognised'}")
    for d in report.detections:
        lines.append(f"  {d.adapter:<22} {', '.join(d.signals)}")
        for url in d.frames:
            lines.append(f"  {'':<22} in frame {url}")
    if report.tcf_ping:
        ping = report.tcf_ping
        status = f"cmpStatus={ping.get('cmpStatus')} displayStatus={ping.get('displayStatus')}"
        lines.append(f"TCF ping   cmpId={ping.get('cmpId')} {status}")
    if report.engine:
        rule = report.autoconsent_rule
        seen = f"rule {rule!r} sees a consent popup" if rule else "no rule sees a consent popup"
        lines.append(f"engine     {report.engine}: {seen}")
    lines.append(f"frames     {len(report.frames)}")
    for url in report.frames:
        lines.append(f"  {url}")
    banner = report.banner
    lines.append(f"banner     {'found' if banner and banner.found else 'not found'}")
    if banner is not None and banner.dialog:
        lines.append(f"dialog     {banner.dialog} ({banner.dialog_reason})")
    for other in banner.other_dialogs if banner is not None else ():
        lines.append(f"  not it: {other}")
    if banner is not None and banner.text:
        lines.append(f"  text: {one_line(banner.text, 240)}")
    if banner is not None:
        for layer in sorted({c.layer for c in banner.controls}):
            lines.append(f"layer {layer}")
            for c in (c for c in banner.controls if c.layer == layer):
                size = f"{c.width:g}×{c.height:g}" if c.width is not None and c.height is not None else "?"
                tick = "" if c.checked is None else (" [x]" if c.checked else " [ ]")
                contrast = f" contrast {c.contrast:g}" if c.contrast is not None else ""
                lines.append(f"  {c.role:<8} {c.kind:<8} {c.label[:50]!r}{tick} {size}{contrast}  ({c.frame_url})")
    lines.append("would click")
    for role in ("reject", "accept"):
        planned = report.plan.get(role)
        if planned is None:
            lines.append(f"  {role:<7} NOT FOUND")
            continue
        via = "".join(f"{v!r} → " for v in planned.via)
        if planned.engine:
            lines.append(f"  {role:<7} {planned.label} ({planned.engine}) in {planned.frame_url}")
            continue
        lines.append(
            f"  {role:<7} {via}{planned.label!r} (layer {planned.layer}, {planned.method}) in {planned.frame_url}"
        )
    for note in report.notes:
        lines.append(f"note       {note}")
    return printable("\n".join(lines))  # page strings: no escape sequence, control or bidi character


@app.command()
def probe(
    url: Annotated[str, typer.Argument(help="URL of the page to probe.")],
    host_resolver_rules: HostRulesOpt = None,
    browser_arg: BrowserArgOpt = None,
    ignore_https_errors: IgnoreHttpsOpt = False,
    browser: BrowserOpt = None,
    locale: LocaleOpt = "fr-FR",
    timeout: TimeoutOpt = 30.0,
    banner_timeout: Annotated[float, typer.Option(help="Seconds to wait for the banner.")] = 5.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Which consent manager, which controls on which layer and frame, what would be clicked (no rules)."""
    site, options = one_page_visit(
        url,
        browser=browser,
        host_resolver_rules=host_resolver_rules,
        ignore_https_errors=ignore_https_errors,
        browser_arg=browser_arg,
        locale=locale,
        timeout=timeout,
        banner_timeout=banner_timeout,
    )
    try:
        report = asyncio.run(run_probe(site, options))
    except ConfigError as exc:
        fail(str(exc))
    if as_json:
        print(json.dumps(to_jsonable(report), ensure_ascii=False, indent=2))
    else:
        print(render(report))
    if report.error:
        print(f"consent-audit: error: {report.error}", file=sys.stderr)
        raise typer.Exit(int(ExitCode.SITE_FAILED))
