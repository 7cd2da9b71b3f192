"""What happens to evidence after collection: classification, rule evaluation, outputs and the verdict.

The same steps serve ``audit`` (per site, as each finishes) and ``check`` (on a saved run): a
:class:`Pipeline` is built — and every rule pack validated — before any browser starts.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.cli.app import ExitCode
from auditor.config import SiteConfig
from auditor.formats import Format, FormatError, parse_format
from auditor.knowledge import KnowledgeBase, classify_site
from auditor.knowledge.community import CommunityData
from auditor.knowledge.consentmode import annotate_site
from auditor.model import DataInfo, RunResult, SiteResult
from auditor.policy import (
    DEFAULT_PACKS,
    RuleSet,
    apply_baseline,
    evaluate,
    exit_code_for,
    load_baseline,
    load_rules,
)
from auditor.yamlutil import ConfigError

__all__ = ["DEFAULT_PACKS", "Pipeline", "build_pipeline"]


@dataclass(frozen=True)
class Pipeline:
    """Classification and rule evaluation for each site, then outputs and the exit code for the run."""

    knowledge: KnowledgeBase
    rules: RuleSet
    site_rules: dict[str, RuleSet]
    """Per-site rule sets (when a site in ``sites.yaml`` adds packs), by site URL."""
    pack_names: tuple[str, ...]
    formats: tuple[Format, ...] = ()
    """Outputs to write beside ``results.json`` (validated when the pipeline is built)."""

    @property
    def data(self) -> tuple[DataInfo, ...]:
        """The community data sets the classification uses (recorded in ``results.json``)."""
        return self.knowledge.community.provenance()

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Every rule evaluated (so CI formats can list passing rules too)."""
        ids = {r.id for r in self.rules.rules}
        for rules in self.site_rules.values():
            ids.update(r.id for r in rules.rules)
        return tuple(sorted(ids))

    def postprocess(self, site: SiteResult) -> SiteResult:
        """Decode Consent Mode signals, classify the evidence of one site and evaluate the rules on it (pure, fast)."""
        classified = classify_site(annotate_site(site), self.knowledge)
        rules = self.site_rules.get(site.url, self.rules)
        return dataclasses.replace(classified, findings=evaluate(classified, rules))

    def finish(
        self,
        run: RunResult,
        out: Path,
        *,
        fail_on: str,
        baseline: Path | None,
    ) -> ExitCode:
        """Apply the baseline, write the requested formats and the CI summaries; return the exit code."""
        from auditor.formats import write_outputs

        fixed: Sequence[object] = ()
        if baseline is not None:
            run, fixed = apply_baseline(run, load_baseline(baseline))
            from auditor.results import write_results

            write_results(run, out)
        written = write_outputs(run, out, self.formats)
        for path in written.values():
            print(f"wrote {path}", file=sys.stderr)
        for entry in fixed:
            print(f"fixed (no longer found, remove from the baseline): {entry}", file=sys.stderr)
        if os.environ.get("GITHUB_ACTIONS") == "true":
            from auditor.formats import github_annotations

            print(github_annotations(run))
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            from auditor.formats import append_step_summary

            append_step_summary(run, summary)
        from auditor.formats import print_console_summary

        print_console_summary(run)
        return ExitCode(exit_code_for(run, fail_on=fail_on))


def build_pipeline(
    packs: Sequence[str] | None,
    sites: Sequence[SiteConfig] = (),
    knowledge: Sequence[str | Path] = (),
    formats: Sequence[str] = (),
    community: CommunityData | None = None,
) -> Pipeline:
    """Load the knowledge base and every rule pack (global and per site), check the output formats.

    ``community``: the community layer (default: only the shipped data; the CLI passes the data cache's).
    Raises ``ConfigError`` naming the bad file, pack or format: all before any browser starts.
    """
    try:
        chosen = tuple(parse_format(f) for f in formats)
    except FormatError as exc:
        raise ConfigError(str(exc)) from None
    names = tuple(packs or DEFAULT_PACKS)
    rules = load_rules(list(names))
    site_rules = {s.url: load_rules([*names, *s.rules]) for s in sites if s.rules}
    return Pipeline(
        knowledge=KnowledgeBase.load(list(knowledge), community.prepare() if community is not None else None),
        rules=rules,
        site_rules=site_rules,
        pack_names=names,
        formats=chosen,
    )
