"""The pipeline below the CLI: per-site packs recorded on each site, the threshold recorded in the run."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from auditor.config import SiteConfig
from auditor.model import BrowserInfo, Finding, RunResult, SiteResult, Subject, ToolInfo, from_jsonable
from auditor.pipeline import build_pipeline
from auditor.results import read_results, write_results
from auditor.verdict import EXIT_FINDINGS, EXIT_OK

CASES = Path(__file__).resolve().parent / "rules" / "cases"


def visit(case: str) -> SiteResult:
    return from_jsonable(SiteResult, json.loads((CASES / case / "visit.json").read_text("utf-8")))


def test_postprocess_records_each_sites_packs_and_rules() -> None:
    quotidien = visit("lqd-only-technical-cookies-after-refusal")
    fair = visit("edpb-deceptive-button-contrast/fair")
    pipeline = build_pipeline(["tcf"], [SiteConfig(url=quotidien.url, rules=("sites/le-quotidien-demo",))])
    q, f = pipeline.postprocess(quotidien), pipeline.postprocess(fair)
    assert q.rule_packs == ("tcf", "sites/le-quotidien-demo") and f.rule_packs == ("tcf",)
    assert "lqd-only-technical-cookies-after-refusal" in q.rules
    assert f.rules and all(r.startswith("tcf-") for r in f.rules)
    assert set(pipeline.rule_ids) == {*q.rules, *f.rules}


def test_the_pipeline_does_not_import_the_cli() -> None:
    import auditor.pipeline

    source = Path(auditor.pipeline.__file__).read_text("utf-8")
    assert "auditor.cli" not in source


@pytest.mark.parametrize(("fail_on", "code"), [("warning", EXIT_FINDINGS), ("error", EXIT_OK)])
def test_finish_records_the_threshold_so_later_reports_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fail_on: str, code: int
) -> None:
    pipeline = build_pipeline(["edpb-banner"], formats=["markdown"])
    site = pipeline.postprocess(visit("edpb-deceptive-button-contrast/fair"))
    warning = Finding("w", "warning", "before", Subject("banner"), "small reject button")
    warned = dataclasses.replace(site, findings=(warning,))
    run = RunResult(ToolInfo("t", "0"), BrowserInfo(), "x", None, (), (warned,))
    write_results(run, tmp_path / "results.json")
    done = pipeline.finish(run, tmp_path, fail_on=fail_on, baseline=None)
    assert done.exit_code == code
    assert done.written == (tmp_path / "summary.md",)
    assert read_results(tmp_path / "results.json").fail_on == fail_on
    verdict = "Fails" if code else "Warnings"
    assert f"Verdict: {verdict}** (exit {code}" in (tmp_path / "summary.md").read_text("utf-8")
    assert capsys.readouterr().err == ""  # only the CLI prints
