"""``consent-audit policy draft URL [-o rules/sites/HOST.yaml]``: a site pack drafted from the site's own declarations.

One visit, nothing clicked: the banner's promises, the consent manager's configuration and the cookie
policy's tables (:mod:`auditor.declared`). The pack is loaded back with the rule loader before it is
written, so what is written always validates. The YAML goes to ``-o`` (or stdout); warnings (what was
not found or not readable) and the summary to stderr. Exit codes: 0 drafted, 2 usage error, 3 the page
could not be loaded or nothing declared was found (the pack is still written, and says so).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Annotated

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
from auditor.yamlutil import ConfigError

# auditor.declared and the browser are imported by the command when it runs: `--help` never pays for them.
policy_app = typer.Typer(
    name="policy",
    help="Draft a site policy (a rule pack) from what the site itself declares.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(policy_app, name="policy")


def _check_loads(text: str, output: Path | None) -> None:
    """Load the drafted pack with the rule loader (as ``--rules FILE`` would); ConfigError when it does not."""
    from auditor.policy import load_rules

    with tempfile.TemporaryDirectory() as tmp:
        name = output.name if output is not None else "drafted.yaml"
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        load_rules([path])


@policy_app.command("draft")
def draft(
    url: Annotated[str, typer.Argument(help="URL of the page whose banner and cookie policy to read.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the pack here (e.g. rules/sites/HOST.yaml).")
    ] = None,
    extends: Annotated[
        list[str] | None, typer.Option("--extends", help="Packs the drafted pack extends (repeatable). Default: core.")
    ] = None,
    host_resolver_rules: HostRulesOpt = None,
    browser_arg: BrowserArgOpt = None,
    ignore_https_errors: IgnoreHttpsOpt = False,
    browser: BrowserOpt = None,
    locale: LocaleOpt = "fr-FR",
    timeout: TimeoutOpt = 30.0,
    banner_timeout: Annotated[float, typer.Option(help="Seconds to wait for the banner.")] = 5.0,
) -> None:
    """Visit URL once and write a commented rule pack of its promises, declared cookies and vendors."""
    from auditor.declared import draft_policy, pack_yaml
    from auditor.declared.visit import UnreachableSite, read_site
    from auditor.formats.text import printable
    from auditor.resources import schema_path

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
        inputs = asyncio.run(read_site(site, options))
    except UnreachableSite as exc:
        fail(f"{url} could not be loaded: {exc}", ExitCode.SITE_FAILED)
    except ConfigError as exc:
        fail(str(exc))
    policy = draft_policy(inputs)
    text = pack_yaml(policy, tuple(extends or ("core",)), schema=str(schema_path("rulepack.schema.json")))
    try:
        _check_loads(text, output)
    except ConfigError as exc:
        fail(f"the drafted pack does not load ({exc}); please report this")
    for warning in (*policy.unreadable.values(), *policy.warnings):
        print(printable(f"consent-audit: warning: {warning}"), file=sys.stderr)
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    where = str(output) if output is not None else "stdout"
    print(
        f"drafted pack {policy.pack_id}: {len(policy.promises)} promise(s), {len(policy.cookies)} declared cookie(s),"
        f" {len(policy.services)} declared service(s) → {where}",
        file=sys.stderr,
    )
    if not policy.found_anything:
        print(
            f"consent-audit: error: nothing declared was found on {url}: the pack only says so (its rules report"
            " outcome error)",
            file=sys.stderr,
        )
        raise typer.Exit(int(ExitCode.SITE_FAILED))
