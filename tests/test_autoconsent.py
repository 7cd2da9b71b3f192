"""DuckDuckGo autoconsent as a consent engine (issue 12): the vendored package, its safety settings, and
its choices in a real audit of banners the auditor's own finders do not recognise
(:data:`test_cmp_web.AUTOCONSENT_SITES`, Czech labels and markup autoconsent has rules for).

The engine and its rules are the npm package's, unmodified; every choice it makes is confirmed by
:mod:`auditor.browser.confirm` on the stored state, not on autoconsent's word.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cmp_web import AUTOCONSENT_SITES, cmp_web, site_of
from typer.testing import CliRunner

from auditor.browser import consent
from auditor.browser.autoconsent import CONFIG, engine_id, vendored
from auditor.browser.autoconsent.vendored import parse_rules
from auditor.browser.session import BrowserSession
from auditor.cli.app import app
from auditor.config import AuditOptions, SiteConfig
from auditor.fixtureweb import FixtureWeb
from auditor.model import RunResult
from auditor.results import RESULTS_FILE, read_results
from auditor.run import AuditPlan, run

VENDOR_DIR = Path(__file__).parent.parent / "auditor" / "browser" / "vendor" / "autoconsent"


# --- the vendored package (no browser) ---------------------------------------------------------------


def test_vendored_files_are_the_pinned_release() -> None:
    meta = json.loads((VENDOR_DIR / "VERSION.json").read_text(encoding="utf-8"))
    engine = vendored()
    assert engine.engine == engine_id() == f"@duckduckgo/autoconsent@{meta['version']}"
    assert meta["integrity"].startswith("sha512-") and engine.integrity == meta["integrity"]
    assert f"/autoconsent-{meta['version']}.tgz" in meta["tarball"]
    assert "Mozilla Public License Version 2.0" in (VENDOR_DIR / "LICENSE").read_text(encoding="utf-8")
    assert "autoconsentReceiveMessage" in engine.script
    for name in meta["files"]:
        assert (VENDOR_DIR / name).stat().st_size < 4_000_000, name
    notice = (Path(__file__).parent.parent / "NOTICE").read_text(encoding="utf-8")
    assert "github.com/duckduckgo/autoconsent" in notice and "Mozilla Public License 2.0" in notice


def test_the_full_rules_with_opt_in_steps_are_vendored() -> None:
    engine = vendored()
    assert len(engine.rules) > 500
    with_opt_in = [r for r in engine.rules if r.data.get("optIn")]
    assert len(with_opt_in) > 300  # the compact rules have none
    assert engine.rule("cookiejs-banner") is not None and engine.rule("no such rule") is None


def test_the_engine_never_acts_by_itself_nor_guesses() -> None:
    assert CONFIG["autoAction"] is None  # the auditor sends optOut / optIn itself, in the right context
    assert CONFIG["heuristicMode"] == "off" and CONFIG["enableHeuristicDetection"] is False
    assert CONFIG["enableCosmeticRules"] is False and CONFIG["enablePrehide"] is False


def test_frames_get_no_cosmetic_rule_and_only_the_rules_for_their_url() -> None:
    rules = parse_rules(
        [
            {"name": "hides", "cosmetic": True, "detectCmp": [], "detectPopup": [], "optIn": [], "optOut": []},
            {"name": "generic", "detectCmp": [], "detectPopup": [], "optIn": [], "optOut": []},
            {
                "name": "site",
                "runContext": {"urlPattern": "^https://(www\\.)?exemple\\.cz/"},
                "detectCmp": [],
                "detectPopup": [],
                "optIn": [],
                "optOut": [],
            },
            {"name": "framed", "runContext": {"main": False, "frame": True}, "detectCmp": [], "detectPopup": []},
        ]
    )
    engine = vendored()
    probe = type(engine)(
        engine.package,
        engine.version,
        engine.integrity,
        "",
        rules,
        generic_main=tuple(r.json for r in rules if r.name == "generic"),
        generic_frame=tuple(r.json for r in rules if r.name == "framed"),
    )

    def names(url: str, main: bool) -> list[str]:
        return [r["name"] for r in json.loads(probe.rules_json(url, main))["autoconsent"]]

    assert names("https://www.exemple.cz/a", True) == ["generic", "site"]
    assert names("https://autre.cz/", True) == ["generic"]
    assert names("https://widget.cz/", False) == ["framed"]
    real = json.loads(engine.rules_json("https://www.exemple.cz/", True))["autoconsent"]
    assert real and not any(r.get("cosmetic") for r in real)


def test_the_update_script_checks_the_registry_integrity() -> None:
    script = (Path(__file__).parent.parent / "scripts" / "update-autoconsent.sh").read_text(encoding="utf-8")
    assert "npm pack" in script and "dist.integrity" in script and "integrity mismatch" in script


# --- in a real audit ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunResult]:
    out = Path(tmp_path_factory.mktemp("autoconsent"))
    with cmp_web(out / "sites", npm=False) as web:
        sites = tuple(SiteConfig(url=web.url(h, "/")) for h in [*AUTOCONSENT_SITES, "www.lien-refus-presse.fr"])
        opts = AuditOptions(extra_browser_args=tuple(web.chromium_args))
        run(AuditPlan(sites=sites, options=opts, out_dir=out / "out", arguments=("pytest",)))
        yield read_results(out / "out" / RESULTS_FILE)


def test_results_record_the_engine_version(result: RunResult) -> None:
    assert engine_id() in result.tool.consent_engines


def test_autoconsent_chooses_where_nothing_of_ours_finds_the_banner(result: RunResult) -> None:
    site = site_of(result, "www.cookiejs-zpravy.cz")
    for role in ("reject", "accept"):
        action = site.phases[role].consent
        assert action is not None and action.clicked, action
        assert action.method == "autoconsent:cookiejs-banner", action.method
        assert action.engine == engine_id()
        assert action.effect == "confirmed", (action.effect, action.effect_reason)
        assert action.engine_clicks == 1 and action.engine_ms is not None and action.engine_ms > 0
        evidence = action.effect_evidence
        assert evidence is not None
        assert {s.says for s in evidence.stored if s.key == "cookie_consent"} == {role}
    reject = site.phases["reject"].consent
    assert reject is not None and reject.self_test is True
    gated = {c.name for c in site.phases["reject"].cookies if c.name.startswith("_ga") or c.name == "_fbp"}
    assert gated == set()


def test_a_failed_self_test_leaves_the_refusal_unconfirmed(result: RunResult) -> None:
    action = site_of(result, "www.samotest-zpravy.cz").phases["reject"].consent
    assert action is not None and action.clicked and action.method == "autoconsent:cookiejs-banner"
    assert action.self_test is False
    assert action.effect == "unconfirmed" and action.effect_reason is not None
    assert "self-test failed" in action.effect_reason


def test_a_rule_that_only_hides_the_banner_is_no_refusal(result: RunResult) -> None:
    site = site_of(result, "www.skryti-zpravy.cz")
    reject = site.phases["reject"].consent
    assert reject is not None and reject.effect != "confirmed", reject
    accept = site.phases["accept"].consent
    assert accept is not None and accept.method == "autoconsent:cookiecuttr" and accept.effect == "confirmed", accept


def test_our_own_finders_still_come_first(result: RunResult) -> None:
    site = site_of(result, "www.lien-refus-presse.fr")
    for role in ("reject", "accept"):
        action = site.phases[role].consent
        assert action is not None and action.engine is None and action.method is not None
        assert not action.method.startswith("autoconsent:"), action.method


# --- consent-audit probe ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FixtureWeb]:
    with cmp_web(Path(tmp_path_factory.mktemp("autoconsent-probe")), npm=False) as running:
        yield running


def probe_cli(web: FixtureWeb, host: str, *extra: str) -> tuple[int, str]:
    args = ["probe", web.url(host, "/"), *(f"--browser-arg={a}" for a in web.chromium_args), *extra]
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout


def test_probe_names_the_autoconsent_rule_that_would_act(web: FixtureWeb) -> None:
    code, out = probe_cli(web, "www.cookiejs-zpravy.cz", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["autoconsent_rule"] == "cookiejs-banner" and report["engine"] == engine_id()
    for role in ("reject", "accept"):
        planned = report["plan"][role]
        assert planned["method"] == "autoconsent:cookiejs-banner" and planned["engine"] == engine_id(), planned
    code, text = probe_cli(web, "www.cookiejs-zpravy.cz")
    assert code == 0
    assert f"engine     {engine_id()}: rule 'cookiejs-banner' sees a consent popup" in text
    assert f"reject  autoconsent rule 'cookiejs-banner' ({engine_id()})" in text


def test_probe_keeps_our_finders_first_and_says_what_autoconsent_saw(web: FixtureWeb) -> None:
    code, out = probe_cli(web, "www.lien-refus-presse.fr", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["engine"] == engine_id()
    for role in ("reject", "accept"):
        planned = report["plan"][role]
        assert planned is not None and planned["engine"] is None and planned["method"] == "heuristic", planned


async def _choose_and_look(web: FixtureWeb, host: str) -> tuple[str | None, bool]:
    """(method of the reject choice, whether autoconsent's content script is in the page afterwards)."""
    async with BrowserSession(AuditOptions(extra_browser_args=tuple(web.chromium_args))) as session:
        site = SiteConfig(url=web.url(host, "/"))
        context = await session.new_context(site)
        try:
            page = await context.new_page()
            await page.goto(site.url, wait_until="networkidle")
            outcome = await consent.choose(page, site, "reject", banner_timeout=5)
            injected = await page.evaluate("typeof window.autoconsentReceiveMessage === 'function'")
            return outcome.action.method, bool(injected)
        finally:
            await context.close()


def test_a_banner_found_by_the_first_scan_costs_no_injection(web: FixtureWeb) -> None:
    assert asyncio.run(_choose_and_look(web, "www.didomi-presse.fr")) == ("cmp:didomi", False)
    assert asyncio.run(_choose_and_look(web, "www.cookiejs-zpravy.cz")) == ("autoconsent:cookiejs-banner", True)
