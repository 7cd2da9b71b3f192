"""What happens to evidence after collection: classification, rule evaluation, outputs and the verdict.

The same steps serve ``audit`` (per site, as each finishes) and ``check`` (on a saved run): a
:class:`Pipeline` is built — and every rule pack validated — before any browser starts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.config import SiteConfig
from auditor.formats import Format, FormatError, parse_format
from auditor.knowledge import KnowledgeBase, classify_site
from auditor.knowledge.community import CommunityData
from auditor.knowledge.consentmode import annotate_site
from auditor.model import DataInfo, RunResult, SiteResult
from auditor.policy import DEFAULT_PACKS, RuleSet, apply_baseline, evaluate, load_baseline, load_rules
from auditor.redact import redact_site, values_kept
from auditor.results import write_results
from auditor.verdict import exit_code_for
from auditor.yamlutil import ConfigError

__all__ = ["DEFAULT_PACKS", "Finished", "Pipeline", "build_pipeline", "replay_pipeline"]


@dataclass(frozen=True)
class Pipeline:
    """Classification and rule evaluation for each site, then outputs and the exit code for the run."""

    knowledge: KnowledgeBase
    rules: RuleSet
    site_rules: dict[str, RuleSet]
    """Per-site rule sets (when a site in ``sites.yaml`` adds packs, or ``check`` replays a run), by URL."""
    pack_names: tuple[str, ...]
    formats: tuple[Format, ...] = ()
    """Outputs to write beside ``results.json`` (validated when the pipeline is built)."""
    site_packs: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    """The packs of each site of ``site_rules`` (recorded in ``SiteResult.rule_packs``), by URL."""
    keep_values: bool = False
    """Keep raw values (``--keep-values``); off: each site is redacted before it is classified."""

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
        """Decode Consent Mode signals, redact the values of one site (unless kept), classify its evidence
        and evaluate its rules.

        Pure and fast; records the site's packs and rules. Consent Mode is decoded from the raw URLs first
        (the decoded signal is kept); classification and rules then see the redacted evidence, so ``check``
        on the saved results judges exactly what the live run judged.
        """
        site = annotate_site(site)
        if not self.keep_values:
            site = redact_site(site)
        classified = classify_site(site, self.knowledge)
        rules = self.site_rules.get(site.url, self.rules)
        return dataclasses.replace(
            classified,
            findings=evaluate(classified, rules),
            rule_packs=self.site_packs.get(site.url, self.pack_names),
            rules=tuple(sorted({r.id for r in rules.rules})),
        )

    def finish(
        self,
        run: RunResult,
        out: Path,
        *,
        fail_on: str,
        baseline: Path | None,
    ) -> Finished:
        """Apply the baseline and write the requested formats; the run as finished, for the CLI to report.

        The threshold is recorded in the run (``RunResult.fail_on``), so every output shows the verdict
        the exit code is made of, also when re-rendered later by ``consent-audit report``.
        """
        from auditor.formats import write_outputs

        fixed: Sequence[object] = ()
        if baseline is not None:
            run, fixed = apply_baseline(run, load_baseline(baseline))
        if baseline is not None or run.fail_on != fail_on:
            run = dataclasses.replace(run, fail_on=fail_on)
            write_results(run, out)
        written = write_outputs(run, out, self.formats)
        return Finished(run, tuple(written.values()), tuple(str(e) for e in fixed), exit_code_for(run, fail_on))


@dataclass(frozen=True)
class Finished:
    """What :meth:`Pipeline.finish` did: the final run, the files written, the baseline entries now fixed."""

    run: RunResult
    written: tuple[Path, ...]
    fixed: tuple[str, ...]
    """Baseline entries that no longer match any finding (to be removed from the baseline)."""
    exit_code: int


def build_pipeline(
    packs: Sequence[str] | None,
    sites: Sequence[SiteConfig] = (),
    knowledge: Sequence[str | Path] = (),
    formats: Sequence[str] = (),
    community: CommunityData | None = None,
    *,
    keep_values: bool = False,
) -> Pipeline:
    """Load the knowledge base and every rule pack (global and per site), check the output formats.

    ``community``: the community layer (default: only the shipped data; the CLI passes the data cache's).
    ``keep_values`` (``--keep-values``) turns redaction off. Raises ``ConfigError`` naming the bad file,
    pack or format: all before any browser starts.
    """
    try:
        chosen = tuple(parse_format(f) for f in formats)
    except FormatError as exc:
        raise ConfigError(str(exc)) from None
    names = tuple(packs or DEFAULT_PACKS)
    site_packs = {s.url: _merge(names, s.rules) for s in sites if s.rules}
    return dataclasses.replace(_pipeline(names, site_packs, knowledge, community, chosen), keep_values=keep_values)


def _merge(*packs: Sequence[str]) -> tuple[str, ...]:
    """Pack lists joined in order, each pack once."""
    return tuple(dict.fromkeys(p for group in packs for p in group))


def _pipeline(
    names: tuple[str, ...],
    site_packs: dict[str, tuple[str, ...]],
    knowledge: Sequence[str | Path],
    community: CommunityData | None,
    formats: tuple[Format, ...] = (),
) -> Pipeline:
    """Load the run-wide packs and each distinct per-site pack list once."""
    rules = load_rules(list(names))
    loaded: dict[tuple[str, ...], RuleSet] = {names: rules}
    for packs in site_packs.values():
        if packs not in loaded:
            loaded[packs] = load_rules(list(packs))
    return Pipeline(
        knowledge=KnowledgeBase.load(list(knowledge), community.prepare() if community is not None else None),
        rules=rules,
        site_rules={url: loaded[p] for url, p in site_packs.items() if p != names},
        pack_names=names,
        formats=formats,
        site_packs={url: p for url, p in site_packs.items() if p != names},
    )


def replay_pipeline(
    run: RunResult,
    packs: Sequence[str] | None,
    knowledge: Sequence[str | Path] = (),
    community: CommunityData | None = None,
) -> Pipeline:
    """The pipeline of ``consent-audit check``: each site re-evaluated with the packs it was audited with.

    Without ``packs``, a site keeps its recorded ``SiteResult.rule_packs`` (else the run's
    ``rule_packs``, else :data:`DEFAULT_PACKS`). With ``packs``, they replace the run-wide packs, and
    a site's own extra packs (those it had beyond the run's, from ``sites.yaml``) are still added on
    top: a site's policy pack is never dropped silently. Values stay raw only when the run kept them
    (``options.keep_values``); an older run's raw values are redacted. ``ConfigError`` names a pack
    that cannot be loaded (e.g. a site pack file that is not there any more).
    """
    recorded = tuple(run.rule_packs) or DEFAULT_PACKS
    names = tuple(packs) if packs else recorded
    site_packs: dict[str, tuple[str, ...]] = {}
    for site in run.sites:
        own = tuple(site.rule_packs) or recorded
        if packs:
            extra = [p for p in own if p not in recorded]
            site_packs[site.url] = _merge(names, extra)
        else:
            site_packs[site.url] = own
    return dataclasses.replace(_pipeline(names, site_packs, knowledge, community), keep_values=values_kept(run))
