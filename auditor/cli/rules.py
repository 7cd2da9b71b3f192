"""``consent-audit rules list|show|validate|doc`` and ``consent-audit check`` (re-evaluate a saved run).

- ``rules list [--rules PACK]... [--json]``: the rules of the given packs (default: every built-in pack).
- ``rules show ID [--rules PACK]...``: the documentation of a rule or a pack, from its metadata.
- ``rules validate FILE...``: load each pack (and what it extends) as an audit would; exit 2 on errors.
- ``rules doc [--rules PACK]... [-o FILE]``: Markdown documentation of packs (``docs/rules.md`` is this
  for the built-in packs).
- ``check RESULTS [--rules PACK]... [--baseline FILE] [--fail-on SEV] [--knowledge FILE]... [-o OUT]``:
  classify and evaluate a saved ``results.json`` again, with no browser; exit 0/1/2/3 as ``audit``.
  Each site is re-evaluated with the packs recorded for it (``SiteResult.rule_packs``); ``--rules``
  replaces the run-wide packs and keeps each site's own extra packs (see :func:`auditor.pipeline.replay_pipeline`).

Machine output (``--json``, ``-o -``) goes to stdout; summaries and errors to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from auditor.cli.app import ExitCode, app, fail
from auditor.config import DEFAULT_PACKS
from auditor.model import RunResult
from auditor.results import ResultsError, dumps_run, read_results, write_results
from auditor.verdict import FAIL_ON_CHOICES, check_fail_on
from auditor.yamlutil import ConfigError

if TYPE_CHECKING:
    from auditor.policy import RuleSet

# The rule engine is imported by each command when it runs: `--help` and the other commands never pay for it.
rules_app = typer.Typer(
    name="rules",
    help="List, show, validate and document rule packs.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(rules_app, name="rules")

PacksOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--rules", "-r", help="Rule pack: built-in name or YAML file (repeatable). Default: all built-in packs."
    ),
]


def _load(packs: Sequence[str] | None) -> RuleSet:
    from auditor.policy import builtin_packs, load_rules

    try:
        return load_rules(list(packs) if packs else builtin_packs())
    except ConfigError as exc:
        fail(str(exc))


@rules_app.command("list")
def list_command(
    packs: PacksOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (id, pack, severity, phases, subject, title).")
    ] = False,
) -> None:
    """List the rules of rule packs (default: every built-in pack); `*` marks those on by default."""
    from auditor.policy import load_rules

    rules = _load(packs)
    default = load_rules(DEFAULT_PACKS)
    on = set(default.ids)
    default_packs = set(default.pack_ids)
    if as_json:
        rows = [
            {
                "id": r.id,
                "pack": r.pack,
                "severity": r.severity,
                "phases": list(r.phases),
                "subject": r.subject,
                "title": r.title,
                "default": r.id in on,
            }
            for r in rules
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max((len(r.id) for r in rules), default=10)
    print(f"default (no --rules): {', '.join(DEFAULT_PACKS)}; * marks the rules it turns on")
    for pack in rules.packs:
        extends = f" (extends {', '.join(pack.extends)})" if pack.extends else ""
        mark = " [default]" if pack.id in default_packs else ""
        print(f"{pack.id}: {pack.title}{extends}{mark}  [{pack.file}]")
        for rule in (r for r in rules if r.pack == pack.id):
            phases = ",".join(rule.phases)
            star = "*" if rule.id in on else " "
            print(f" {star}{rule.id:<{width}}  {rule.severity:<7}  {phases:<20}  {rule.subject:<10}  {rule.title}")
    for rule_id, by in rules.disabled.items():
        print(f"disabled: {rule_id} (by {by})")


@rules_app.command("show")
def show_command(
    rule_id: Annotated[str, typer.Argument(help="A rule id, or a pack id.", show_default=False)],
    packs: PacksOpt = None,
) -> None:
    """Show the documentation of a rule (or of a whole pack): what it checks, how, and its source."""
    from auditor.policy import rule_markdown
    from auditor.policy.docs import pack_markdown

    rules = _load(packs)
    if rule_id in rules.pack_ids:
        pack = rules.pack(rule_id)
        print(pack_markdown(pack, [r for r in rules if r.pack == pack.id], rules.disabled))
        return
    try:
        rule = rules.get(rule_id)
    except KeyError as exc:
        fail(str(exc.args[0]))
    print(rule_markdown(rule, level=2), end="")


@rules_app.command("validate")
def validate_command(
    files: Annotated[list[Path], typer.Argument(help="Rule-pack YAML files.", show_default=False)],
) -> None:
    """Check rule packs as an audit would load them (schema, matchers, regexes, ids, extends)."""
    from auditor.policy import load_rules

    bad = 0
    for path in files:
        try:
            rules = load_rules([str(path)])
        except ConfigError as exc:
            print(f"consent-audit: error: {exc}", file=sys.stderr)
            bad += 1
            continue
        own = rules.packs[-1]
        base = f", extends {', '.join(own.extends)}" if own.extends else ""
        print(f"{path}: ok — pack {own.id!r}, {len(own.rule_ids)} rule(s){base}; {len(rules)} rule(s) in all")
    if bad:
        raise typer.Exit(int(ExitCode.USAGE))


@rules_app.command("doc")
def doc_command(
    packs: PacksOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).", show_default=False)
    ] = None,
) -> None:
    """Write the Markdown documentation of rule packs (generated from their metadata)."""
    from auditor.policy import rules_doc_markdown

    rules = _load(packs)
    text = rules_doc_markdown(rules, title="Rule packs" if packs else "Built-in rule packs")
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}", file=sys.stderr)


@app.command("check")
def check_command(
    results: Annotated[Path, typer.Argument(help="results.json (or the folder holding it).", show_default=False)],
    packs: Annotated[
        list[str] | None,
        typer.Option(
            "--rules",
            "-r",
            help="Rule pack: built-in name or YAML file (repeatable), replacing the run-wide packs (each site "
            "keeps its own extra packs). Default: the packs each site was audited with.",
        ),
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option(help="YAML file of accepted findings (each with a reason).", show_default=False)
    ] = None,
    fail_on: Annotated[str, typer.Option(help=f"Lowest severity that fails: {', '.join(FAIL_ON_CHOICES)}.")] = "error",
    knowledge: Annotated[
        list[Path] | None,
        typer.Option(help="Extra knowledge-base YAML file (repeatable): your own trackers and cookies."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the re-evaluated results.json here ('-' for stdout).", show_default=False
        ),
    ] = None,
) -> None:
    """Re-evaluate a saved run against rule packs, with no browser: classification, rules, baseline, exit code.

    Exit codes: 0 clean; 1 findings at or above --fail-on (not accepted by the baseline; a rule that
    could not be evaluated counts); 2 usage or configuration error; 3 evidence is missing: a site could
    not be audited (wins over 1), or a site is incomplete with no failing finding (never 0).
    """
    from auditor.pipeline import replay_pipeline
    from auditor.policy import apply_baseline, load_baseline
    from auditor.verdict import exit_code_for

    try:
        check_fail_on(fail_on)
    except ValueError as exc:
        fail(f"--fail-on: {exc}")
    try:
        run = read_results(results)
    except ResultsError as exc:
        fail(str(exc))
    from auditor.knowledge.community import load_community
    from auditor.knowledge.datacache import DataError, data_dir

    try:
        community = load_community(data_dir())
        pipeline = replay_pipeline(run, packs, knowledge=[str(k) for k in knowledge or []], community=community)
        accepted = load_baseline(baseline) if baseline is not None else None
    except (ConfigError, DataError) as exc:
        fail(str(exc))
    sites = tuple(pipeline.postprocess(site) for site in run.sites)
    checked: RunResult = RunResult(
        tool=run.tool,
        browser=run.browser,
        started=run.started,
        finished=run.finished,
        arguments=run.arguments,
        sites=sites,
        options=run.options,
        rule_packs=pipeline.pack_names,
        rules=pipeline.rule_ids,
        data=pipeline.data,
        schema_version=run.schema_version,
        fail_on=fail_on,
    )
    if accepted is not None:
        checked, fixed = apply_baseline(checked, accepted)
        for entry in fixed:
            print(f"fixed (no longer found; remove it from the baseline): {entry}", file=sys.stderr)
        for entry in accepted.expired():
            print(f"expired baseline entry (no longer accepts findings): {entry}", file=sys.stderr)
    if output is not None:
        if str(output) == "-":
            sys.stdout.write(dumps_run(checked))
        else:
            print(f"wrote {write_results(checked, output)}", file=sys.stderr)
    _print_summary(checked)
    raise typer.Exit(exit_code_for(checked, fail_on))


def _print_summary(run: RunResult) -> None:
    """The console summary (stderr), and under GitHub Actions the annotations and step summary, as ``audit``."""
    from auditor.formats import print_console_summary, write_ci_outputs

    write_ci_outputs(run)  # annotations on stderr: `check -o -` keeps stdout pure JSON
    print_console_summary(run)
