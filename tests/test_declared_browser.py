"""Drafting a site's own policy on the fixture web, and auditing the site against it (issue 14).

``www.politique-fidele.fr`` declares what it does; ``www.politique-trompeuse.fr`` lies three ways (a table
omitting the Meta pixel, GA's lifetime understated, the « only technical cookies after refusal » promise
broken by GA loading before any choice). Each site is drafted once through the CLI (one visit), audited once
(one run for both), and the run is evaluated with the drafted packs (module fixtures).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.fixtureweb import FixtureWeb
from auditor.model import Finding, RunResult, SiteResult
from auditor.pipeline import build_pipeline
from auditor.policy import load_rules
from auditor.results import read_results
from auditor.yamlutil import load_schema, load_yaml, validate

pytestmark = pytest.mark.browser

HONEST = "www.politique-fidele.fr"
LIAR = "www.politique-trompeuse.fr"


def draft_cli(web: FixtureWeb, host: str, out: Path, *extra: str) -> tuple[int, str, str]:
    """``consent-audit policy draft`` on a fixture host: (exit code, stdout, stderr)."""
    args = ["policy", "draft", web.url(host, "/"), *(f"--browser-arg={a}" for a in web.chromium_args), *extra]
    if out.suffix:
        args += ["-o", str(out)]
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def packs(fixture_web: FixtureWeb, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = Path(tmp_path_factory.mktemp("drafted"))
    out: dict[str, Path] = {}
    for host in (HONEST, LIAR):
        path = folder / f"{host}.yaml"
        code, _stdout, stderr = draft_cli(fixture_web, host, path)
        assert code == 0, stderr
        out[host] = path
    return out


@pytest.fixture(scope="module")
def audited(audit_fixture_sites: Callable[..., RunResult], packs: dict[str, Path]) -> dict[str, SiteResult]:
    run = audit_fixture_sites([HONEST, LIAR])
    out = {}
    for site in run.sites:
        host = next(h for h in packs if f"//{h}/" in site.url)
        pipeline = build_pipeline(["core", str(packs[host])])
        out[host] = pipeline.postprocess(site)
    return out


def declared(site: SiteResult, host: str) -> list[Finding]:
    return [f for f in site.findings if f.pack == f"declared-{host}"]


def test_the_drafted_packs_hold_the_declarations(packs: dict[str, Path]) -> None:
    text = packs[HONEST].read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    assert "« Les réseaux sociaux ne suivront plus votre navigation. »" in text  # the comment citing the promise
    for name in ("PHPSESSID", "consent", "_pcid", "_ga", "_ga_*", "_fbp", "fr"):
        assert f"- name: {name}\n" in text or f"- name: '{name}'\n" in text, name
    assert "quote: fr | facebook.com | Pixel Meta, avec votre accord | 3 mois" in text
    for path in packs.values():  # the shipped schema editors use, and the loader
        validate(load_yaml(path), load_schema("rulepack.schema.json"))
        assert load_rules([path]).pack_ids[-1] == f"declared-{path.stem}"


def test_honest_site_has_no_declaration_finding(audited: dict[str, SiteResult]) -> None:
    site = audited[HONEST]
    assert site.status == "ok"
    rules = {r for r in site.rules if r.startswith("politique-fidele.fr-")}
    assert {
        "politique-fidele.fr-only-technical-after-refusal",
        "politique-fidele.fr-no-social-cookie-after-refusal",
        "politique-fidele.fr-undeclared-tracker-cookie",
        "politique-fidele.fr-lifetime-as-declared",
    } <= rules
    assert [(f.rule, f.phase, f.subject.name, f.outcome) for f in declared(site, HONEST)] == []


def test_a_cookie_table_omitting_a_tracker(audited: dict[str, SiteResult]) -> None:
    found = [f for f in declared(audited[LIAR], LIAR) if f.rule.endswith("-undeclared-tracker-cookie")]
    assert {(f.phase, f.subject.name) for f in found} >= {("accept", "_fbp"), ("accept", "fr")}
    assert all(f.outcome == "fail" and f.phase == "accept" for f in found), found
    assert "not among the 6 cookies declared in" in found[0].evidence["declaration"]


def test_an_understated_lifetime(audited: dict[str, SiteResult]) -> None:
    found = [f for f in declared(audited[LIAR], LIAR) if f.rule.endswith("-lifetime-as-declared")]
    assert {f.subject.name for f in found} == {"_ga", "_ga_TROMPE24"}
    quote = "_ga, _ga_XXXXXX | Mesure d'audience | Google Analytics | 1 mois"
    assert all(f.evidence["declaration"].endswith(f"« {quote} »") for f in found)
    assert "lives 396 days" in found[0].message and "the site declares 30:" in found[0].message


def test_a_tracker_declared_strictly_necessary(audited: dict[str, SiteResult]) -> None:
    found = [f for f in declared(audited[LIAR], LIAR) if f.rule.endswith("-category-as-declared")]
    assert {(f.phase, f.subject.name) for f in found} == {("before", "IDE"), ("reject", "IDE"), ("accept", "IDE")}
    assert "is declared necessary but is classified advertising (Google, a tracker)" in found[0].message
    row = "IDE | Strictement nécessaire | Sécurité de la navigation | 13 mois"
    assert found[0].evidence["declaration"].endswith(f"« {row} »")


def test_a_technical_cookies_only_promise_broken(audited: dict[str, SiteResult]) -> None:
    found = [f for f in declared(audited[LIAR], LIAR) if f.rule.endswith("-only-technical-after-refusal")]
    assert {(f.phase, f.subject.name) for f in found} == {("reject", n) for n in ("_ga", "_ga_TROMPE24", "IDE")}
    assert found[0].source["quote"].startswith("Si vous refusez, seuls les traceurs techniques")
    assert found[0].source["policy_url"] == "https://www.politique-trompeuse.fr/"


def test_a_page_without_banner_or_policy_says_nothing_was_found(fixture_web: FixtureWeb, tmp_path: Path) -> None:
    code, stdout, stderr = draft_cli(fixture_web, "www.sans-banniere.fr", tmp_path / "none.yaml")
    assert code == 3
    assert "warning: no consent banner was found on https://www.sans-banniere.fr/" in stderr
    assert "error: nothing declared was found" in stderr
    assert "Traceback" not in stderr + stdout
    text = (tmp_path / "none.yaml").read_text(encoding="utf-8")
    assert "NOTHING DECLARED WAS FOUND" in text
    assert "- what: cookies" in text  # its declaration rules report outcome error, never pass


def test_an_unreachable_url_is_a_clear_error(fixture_web: FixtureWeb, tmp_path: Path) -> None:
    code, _stdout, stderr = draft_cli(fixture_web, "www.injoignable.fr", tmp_path / "x.yaml")
    assert code == 3
    assert stderr.startswith("consent-audit: error: https://www.injoignable.fr/ could not be loaded:")
    assert "Traceback" not in stderr
    assert not (tmp_path / "x.yaml").exists()


def test_help_in_a_non_terminal() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "auditor", "policy", "draft", "--help"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "TERM": "dumb", "COLUMNS": "100"},
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 0, result.stderr
    assert "Visit URL once and write a commented rule pack" in result.stdout
    assert "--output" in result.stdout and "--extends" in result.stdout
    assert "\x1b[" not in result.stdout


def test_audit_policy_auto_drafts_applies_and_replays(fixture_web: FixtureWeb, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["audit", fixture_web.url(LIAR, "/"), "--out", str(out), "--policy", "auto", "--no-screenshots"]
    result = CliRunner().invoke(app, [*args, *(f"--browser-arg={a}" for a in fixture_web.chromium_args)])
    assert result.exit_code == 1, result.stderr
    assert "policy of www.politique-trompeuse.fr: 2 promise(s), 6 declared cookie(s)" in result.stderr
    assert "(one extra visit)" in result.stderr
    pack = (out / "policies" / f"{LIAR}.yaml").resolve()
    run = read_results(out / "results.json")
    (site,) = run.sites
    assert str(pack) in site.rule_packs  # provenance: check and report replay the drafted pack
    rules = {f.rule for f in declared(site, LIAR) if f.outcome == "fail"}
    assert {
        "politique-trompeuse.fr-only-technical-after-refusal",
        "politique-trompeuse.fr-lifetime-as-declared",
        "politique-trompeuse.fr-undeclared-tracker-cookie",
    } <= rules
    replay = CliRunner().invoke(app, ["check", str(out / "results.json"), "-o", str(tmp_path / "checked.json")])
    assert replay.exit_code == 1, replay.stderr
    (again,) = read_results(tmp_path / "checked.json").sites
    assert sorted((f.rule, f.phase, f.subject.name) for f in declared(again, LIAR)) == sorted(
        (f.rule, f.phase, f.subject.name) for f in declared(site, LIAR)
    )


def test_audit_policy_takes_only_auto() -> None:
    result = CliRunner().invoke(app, ["audit", "https://www.example.fr/", "--policy", "mine"])
    assert result.exit_code == 2
    assert "--policy takes 'auto'" in result.stderr
