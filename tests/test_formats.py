"""The machine and text formats, rendered from the saved results fixtures (``tests/data/results``)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from auditor.formats import (
    Format,
    FormatError,
    append_step_summary,
    github_annotations,
    parse_format,
    print_console_summary,
    render,
    write_outputs,
)
from auditor.formats.summary import summarise
from auditor.formats.text import lifetime, md
from auditor.model import Finding, RunResult, Subject
from auditor.results import read_results
from auditor.verdict import Verdict

DATA = Path(__file__).parent / "data" / "results"
RUN1 = DATA / "run1" / "results.json"
RUN2 = DATA / "run2" / "results.json"
SARIF_SCHEMA = Path(__file__).parent / "schemas" / "sarif-2.1.0.json"


@pytest.fixture(scope="module")
def run1() -> RunResult:
    return read_results(RUN1)


@pytest.fixture(scope="module")
def run2() -> RunResult:
    return read_results(RUN2)


def by_label(run: RunResult) -> dict[str, object]:
    return {s.label: s for s in summarise(run).sites}


# --- registry --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(Format))
@pytest.mark.parametrize("path", [RUN1, RUN2], ids=["run1", "run2"])
def test_every_format_renders_every_fixture(fmt: Format, path: Path) -> None:
    text = render(read_results(path), fmt, results_path=path)
    assert text.strip()


def test_format_names_parse_and_unknown_names_are_named() -> None:
    assert parse_format("HTML") is Format.HTML
    assert parse_format(Format.SARIF) is Format.SARIF
    with pytest.raises(FormatError, match=r"unknown format 'pdf' \(expected one of: json, html, junit"):
        parse_format("pdf")


def test_json_is_the_canonical_results_file(run1: RunResult) -> None:
    assert render(run1, Format.JSON) == RUN1.read_text(encoding="utf-8")


def test_write_outputs_writes_each_format_once(tmp_path: Path, run1: RunResult) -> None:
    shutil.copytree(RUN1.parent, tmp_path, dirs_exist_ok=True)
    before = (tmp_path / "results.json").read_bytes()
    written = write_outputs(run1, tmp_path, ["html", Format.JUNIT, "sarif", "markdown", "json", "csv", "html"])
    assert {f.value for f in written} == {"html", "junit", "sarif", "markdown", "json", "csv"}
    assert {p.name for p in written.values()} == {
        "report.html",
        "junit.xml",
        "results.sarif",
        "summary.md",
        "results.json",
        "sites.csv",
    }
    assert (tmp_path / "results.json").read_bytes() == before
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html  # screenshots found beside the results file


# --- verdicts --------------------------------------------------------------------------------------


def test_verdicts_and_sentences(run1: RunResult) -> None:
    sites = {s.label: s for s in summarise(run1).sites}
    assert sites["Le Quotidien"].verdict is Verdict.PASS
    assert sites["Le Quotidien"].sentence.startswith('No tracker cookie before any choice or after "Tout refuser"')
    bad = sites["Le Journal"]
    assert bad.verdict is Verdict.FAIL
    assert bad.sentence.startswith(
        'After "Continuer sans accepter", 4 trackers (3 advertising, 1 analytics) still set cookies'
    )
    assert bad.failing == {"error": 8, "warning": 1, "info": 0}
    assert (bad.not_evaluated, bad.baselined) == (1, 1)
    assert sites["Shop (down)"].verdict is Verdict.NOT_AUDITED
    assert sites["Shop (down)"].missing_phases == ("before", "reject", "accept")
    partial = sites["blog-partial.example"]
    assert partial.missing_phases == ("accept",)
    assert partial.sentence.startswith("Refusing was not possible")


def test_lifetime_wording() -> None:
    assert lifetime(None) == "session"
    assert lifetime(0.2) == "5 hours"
    assert lifetime(30) == "30 days"
    assert lifetime(395) == "13 months (395 days)"


# --- JUnit -----------------------------------------------------------------------------------------


def test_junit_parses_back_with_a_case_per_site_and_rule(run1: RunResult) -> None:
    root = ET.fromstring(render(run1, Format.JUNIT))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == len(run1.sites)
    rules = {f.rule for s in run1.sites for f in s.findings}
    for suite in suites:
        cases = suite.findall("testcase")
        assert {c.get("name") for c in cases} == rules | {"audit"}
        assert int(suite.get("tests", "0")) == len(cases)
        assert int(suite.get("failures", "0")) == sum(1 for c in cases if c.find("failure") is not None)
        assert int(suite.get("errors", "0")) == sum(1 for c in cases if c.find("error") is not None)
    assert int(root.get("tests", "0")) == sum(int(s.get("tests", "0")) for s in suites)

    bad = next(s for s in suites if "news-bad" in s.get("name", ""))
    cases = {c.get("name"): c for c in bad.findall("testcase")}
    failure = cases["cnil-no-tracker-cookie-without-consent"].find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert '"cookie": "IDE"' in (failure.text or "")  # the evidence travels with the failure
    assert "and 4 more" in failure.get("message", "")
    not_evaluated = cases["cnil-audience-exempt-first-party"].find("error")
    assert not_evaluated is not None and not_evaluated.get("type") == "not-evaluated"
    assert cases["edpb-deceptive-link-design"].find("failure") is not None
    assert cases["cnil-reject-on-first-layer"].find("failure") is None  # another site's rule passes here

    down = next(s for s in suites if "shop-down" in s.get("name", ""))
    audit = next(c for c in down.findall("testcase") if c.get("name") == "audit")
    error = audit.find("error")
    assert error is not None and "ERR_NAME_NOT_RESOLVED" in (error.text or "")
    assert all(c.find("skipped") is not None for c in down.findall("testcase") if c.get("name") != "audit")


def test_junit_baselined_only_rule_is_skipped_and_info_passes(run1: RunResult) -> None:
    bad = next(s for s in run1.sites if "news-bad" in s.url)
    only_baselined = tuple(f for f in bad.findings if f.baseline is not None)
    ok = next(s for s in run1.sites if "news-ok" in s.url)
    run = dataclasses.replace(run1, sites=(dataclasses.replace(bad, findings=only_baselined), ok))
    root = ET.fromstring(render(run, Format.JUNIT))
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    skipped = cases[("Le Journal", "cnil-tracker-lifetime")].find("skipped")
    assert skipped is not None and "LEGAL-41" in skipped.get("message", "")
    info = cases[("Le Quotidien", "cnil-audience-exempt-first-party")]
    assert info.find("failure") is None and "Matomo" in (info.findtext("system-out") or "")


def test_junit_survives_characters_xml_cannot_carry(run1: RunResult) -> None:
    site = run1.sites[0]
    nasty = Finding(
        rule="r\x00ule",
        severity="error",
        phase="reject",
        subject=Subject(kind="cookie", name="a\x1bb"),
        message="bell\x07 and ]]> and </testcase>",
    )
    run = dataclasses.replace(run1, sites=(dataclasses.replace(site, findings=(nasty,)),))
    root = ET.fromstring(render(run, Format.JUNIT))
    failure = next(root.iter("failure"))
    assert "]]> and </testcase>" in (failure.text or "")


# --- SARIF -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"].endswith("sarif-schema-2.1.0.json")
    return jsonschema.Draft4Validator(schema)


@pytest.mark.parametrize("path", [RUN1, RUN2], ids=["run1", "run2"])
def test_sarif_is_valid_against_the_official_schema(path: Path, sarif_validator: jsonschema.Draft4Validator) -> None:
    log = json.loads(render(read_results(path), Format.SARIF))
    errors = sorted(sarif_validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_sarif_maps_outcomes_baselines_and_failed_sites(run1: RunResult) -> None:
    log = json.loads(render(run1, Format.SARIF))
    run = log["runs"][0]
    results = run["results"]
    assert len(results) == sum(len(s.findings) for s in run1.sites)
    rules = run["tool"]["driver"]["rules"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    not_evaluated = [r for r in results if r["properties"]["outcome"] == "error"]
    assert not_evaluated and all(r["kind"] == "open" and r["level"] == "none" for r in not_evaluated)
    baselined = [r for r in results if "suppressions" in r]
    assert len(baselined) == 1 and "LEGAL-41" in baselined[0]["suppressions"][0]["justification"]
    assert {r["level"] for r in results if r["kind"] == "fail"} == {"error", "warning", "note"}
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "shop-down.example" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    fingerprints = [r["partialFingerprints"]["consentFinding/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)
    policy_rule = next(r for r in rules if r["id"] == "journal-only-technical-cookies-after-refusal")
    assert policy_rule["help"]["text"].startswith("Site policy: Si vous cliquez")
    assert policy_rule["helpUri"] == "https://www.news-bad.example/cookies"
    hostile_rule = next(r for r in rules if "script" in r["id"])
    assert "helpUri" not in hostile_rule  # javascript: URLs are not links
    for r in results:
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not set(uri) & set('<>" ')


# --- Markdown, console, annotations, CSV -------------------------------------------------------------


def test_markdown_summary_escapes_page_strings(run1: RunResult) -> None:
    text = render(run1, Format.MARKDOWN)
    assert text.startswith("# Cookie consent audit")
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;alert('xss')&lt;/script&gt;" in text
    assert "\\[link\\](javascript:x)" in text
    tables = [
        [line for line in block.splitlines() if line.startswith("|")]
        for block in text.split("\n\n")
        if block.startswith("|")
    ]
    assert len(tables) == 2
    site_rows = [line for line in tables[0][2:]]
    assert len(site_rows) == len(run1.sites)
    for table in tables:
        for row in table:  # an unescaped pipe would add a column
            assert row.replace("\\|", "").count("|") == table[0].count("|")
    assert md("a|b\nc*d") == "a\\|b c\\*d"


def test_console_summary_shows_page_strings_verbatim(run1: RunResult) -> None:
    site = dataclasses.replace(run1.sites[0], name="[b]Rich[/b]")
    run = dataclasses.replace(run1, sites=(site, *run1.sites[1:]))
    text = render(run, Format.CONSOLE)
    assert "[b]Rich[/b]" in text
    assert "Le Journal" in text and "Worst findings" in text
    buffer = io.StringIO()
    print_console_summary(run, file=buffer)
    assert "Le Journal" in buffer.getvalue()


def test_github_annotations_cannot_be_hijacked(run1: RunResult) -> None:
    text = github_annotations(run1)
    lines = text.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert lines[0].startswith("::error ")
    hostile = next(line for line in lines if "injected" in line)
    assert "%250A" in hostile  # a literal %0A in a message is escaped, not decoded into a newline
    assert 'title=Hostile "><img src=x onerror=alert(1)>%3A' in hostile
    assert not any("LEGAL-41" in line or '_ga" lives 730' in line for line in lines)  # baselined: skipped
    assert any("shop-down.example" in line for line in lines)


def test_csv_rows_and_formula_cells(run1: RunResult) -> None:
    site = dataclasses.replace(run1.sites[0], name='=HYPERLINK("http://evil.example","x")')
    run = dataclasses.replace(run1, sites=(site, *run1.sites[1:]))
    rows = list(csv.DictReader(io.StringIO(render(run, Format.CSV))))
    assert len(rows) == len(run1.sites)
    assert rows[0]["site"].startswith("'=HYPERLINK")
    bad = next(r for r in rows if r["site"] == "Le Journal")
    assert (bad["tracker_cookies_before"], bad["tracker_cookies_reject"], bad["findings_error"]) == ("2", "4", "8")
    assert bad["honours_refusal"] == "False"
    down = next(r for r in rows if r["site"] == "Shop (down)")
    assert down["tracker_cookies_reject"] == "" and down["status"] == "error"


def test_step_summary_is_appended(tmp_path: Path, run1: RunResult) -> None:
    target = tmp_path / "summary.md"
    target.write_text("previous step\n", encoding="utf-8")
    append_step_summary(run1, target)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("previous step\n# Cookie consent audit")


# --- the report command ----------------------------------------------------------------------------


def test_report_command(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    import auditor.cli  # noqa: F401  (registers the commands)
    from auditor.cli.app import app

    runner = CliRunner()
    out = tmp_path / "out" / "report.html"
    result = runner.invoke(app, ["report", str(RUN1.parent), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "VALUE-SECRET-1234" not in html
    shown = runner.invoke(app, ["report", str(RUN1), "--show-values"])
    assert shown.exit_code == 0 and "VALUE-SECRET-1234" in shown.stdout
    md = runner.invoke(app, ["report", str(RUN1), "--format", "markdown"])
    assert md.exit_code == 0 and md.stdout.startswith("# Cookie consent audit")
    junit = runner.invoke(app, ["report", str(RUN1), "-f", "junit", "-o", "-"])
    assert junit.exit_code == 0 and ET.fromstring(junit.stdout).tag == "testsuites"
    bad = runner.invoke(app, ["report", str(RUN1), "--format", "pdf"])
    assert bad.exit_code == 2
    missing = runner.invoke(app, ["report", str(tmp_path / "none.json")])
    assert missing.exit_code == 2 and "file not found" in missing.stderr
    never = runner.invoke(app, ["report", str(RUN1), "-f", "markdown", "--fail-on", "never"])
    assert never.exit_code == 0 and "(exit 3, `--fail-on never`)" in never.stdout  # a site is still not audited
    wrong = runner.invoke(app, ["report", str(RUN1), "--fail-on", "critical"])
    assert wrong.exit_code == 2 and "--fail-on" in wrong.stderr


def test_junit_lists_evaluated_rules_that_found_nothing_as_passed(run1: RunResult) -> None:
    quiet_rule = "tcf-consent-before-choice"
    assert quiet_rule not in {f.rule for s in run1.sites for f in s.findings}
    run = dataclasses.replace(run1, rules=(quiet_rule,))
    root = ET.fromstring(render(run, Format.JUNIT))
    ok_suite = next(s for s in root.findall("testsuite") if "news-ok" in s.get("name", ""))
    case = next(c for c in ok_suite.findall("testcase") if c.get("name") == quiet_rule)
    assert case.find("failure") is None and case.find("error") is None and case.find("skipped") is None


def test_a_quote_is_labelled_site_policy_only_when_it_comes_from_the_sites_policy() -> None:
    from auditor.formats.common import quote_label

    assert quote_label({"policy_url": "https://www.site.fr/cookies", "quote": "seuls les cookies techniques"}) == (
        "Site policy"
    )
    assert quote_label({"url": "https://www.legifrance.gouv.fr/x", "quote": "Toute inaction ..."}) == "Quoted text"


def test_junit_lists_per_site_only_the_rules_evaluated_there(run1: RunResult) -> None:
    ok, bad = (next(s for s in run1.sites if h in s.url) for h in ("news-ok", "news-bad"))
    ok = dataclasses.replace(ok, rules=("cnil-audience-exempt-first-party", "tcf-consent-after-opt-out"))
    bad = dataclasses.replace(bad, rules=("cnil-tracker-lifetime",))
    run = dataclasses.replace(run1, sites=(ok, bad), rules=("everything-of-the-run",))
    suites = ET.fromstring(render(run, Format.JUNIT)).findall("testsuite")
    names = [{c.get("name") for c in suite.findall("testcase")} for suite in suites]
    assert names[0] == {"audit", "cnil-audience-exempt-first-party", "tcf-consent-after-opt-out"}
    # a rule with a finding is always listed (the finding says it was evaluated); the run's list is not used
    assert names[1] == {"audit", "cnil-tracker-lifetime"} | {f.rule for f in bad.findings}
    assert all("everything-of-the-run" not in n for n in names)


def test_junit_marks_an_incomplete_site_as_an_error_and_warnings_below_the_threshold_pass(run1: RunResult) -> None:
    ok = next(s for s in run1.sites if "news-ok" in s.url)
    partial = dataclasses.replace(ok, phases={k: v for k, v in ok.phases.items() if k != "accept"})
    warned = dataclasses.replace(
        ok, url="https://w.example/", findings=(Finding("w", "warning", "before", Subject("banner"), "small"),)
    )
    run = dataclasses.replace(run1, sites=(partial, warned), fail_on="error")
    suites = ET.fromstring(render(run, Format.JUNIT)).findall("testsuite")
    audit = next(c for c in suites[0].findall("testcase") if c.get("name") == "audit")
    error = audit.find("error")
    assert error is not None and error.get("type") == "incomplete" and "accept phase is missing" in (error.text or "")
    case = next(c for c in suites[1].findall("testcase") if c.get("name") == "w")
    assert case.find("failure") is None and "small" in (case.findtext("system-out") or "")
    strict = ET.fromstring(render(dataclasses.replace(run, fail_on="warning"), Format.JUNIT)).findall("testsuite")
    case = next(c for c in strict[1].findall("testcase") if c.get("name") == "w")
    assert case.find("failure") is not None


def test_findings_are_grouped_by_subject_in_the_human_formats() -> None:
    from test_verdict import finding, run_of, site

    ide = [finding("error", rule=r, phase_name=p) for r in ("r1", "r2") for p in ("before", "reject")]
    ide.append(finding("warning", rule="r3", phase_name="reject"))
    other = finding("error", rule="r1", name="_ga")
    run = run_of(site("https://g.example/", *ide, other))
    title = "IDE on .doubleclick.net: before any choice, after refusing; 3 rules"
    markdown = render(run, Format.MARKDOWN)
    assert markdown.count(title) == 1 and markdown.count("IDE on .doubleclick.net") == 1
    assert "_ga on .doubleclick.net: before any choice; 1 rule" in markdown
    console = render(run, Format.CONSOLE)
    assert console.count("IDE on .doubleclick.net") == 1 and "3 rules" in console
    html = render(run, Format.HTML)
    assert html.count('class="group-title"') == 2 and "Findings (6 about 2 subjects)" in html
    sarif = json.loads(render(run, Format.SARIF))
    assert len(sarif["runs"][0]["results"]) == 6  # the machine formats keep one finding per rule
    junit = ET.fromstring(render(run, Format.JUNIT))
    assert {c.get("name") for c in junit.iter("testcase")} >= {"r1", "r2", "r3"}
