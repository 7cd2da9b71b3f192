"""``consent-audit probe``: which CMP, which controls on which layer and frame, what would be clicked.

Runs against the CMP look-alike sites (``tests/test_cmp_web.py``, no npm package needed): the CLI in
both output forms and its exit code for a page that cannot load, then the library function
:func:`auditor.browser.consent.probe_page` in one browser for the finer checks (text heuristics alone
reach into a cross-origin frame and an open shadow root; every adapter selector is valid CSS; the
browser does not announce automation).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cmp_web import cmp_web
from typer.testing import CliRunner

from auditor.browser import consent
from auditor.browser.consent import ProbeReport, finders, probe_page
from auditor.browser.session import BrowserSession
from auditor.cli.app import ExitCode, app
from auditor.config import AuditOptions, SiteConfig
from auditor.fixtureweb import FixtureWeb

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FixtureWeb]:
    with cmp_web(Path(tmp_path_factory.mktemp("probe")), npm=False) as running:
        yield running


def cli(web: FixtureWeb, url: str, *extra: str) -> tuple[int, str, str]:
    args = ["probe", url, *(f"--browser-arg={a}" for a in web.chromium_args), *extra]
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout, result.stderr


def test_probe_json_shows_the_second_layer_reject(web: FixtureWeb) -> None:
    code, out, _ = cli(web, web.url("www.second-niveau-presse.fr", "/"), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["cmp"] is None and report["error"] is None
    reject, accept = report["plan"]["reject"], report["plan"]["accept"]
    assert (reject["label"], reject["layer"], reject["via"]) == ("Tout refuser", 2, ["Paramétrer vos choix"])
    assert (accept["label"], accept["layer"], accept["via"]) == ("Tout accepter", 1, [])
    layers = {(c["layer"], c["role"]) for c in report["banner"]["controls"]}
    assert {(1, "settings"), (1, "accept"), (2, "reject"), (2, "save")} <= layers


def test_probe_text_names_the_cmp_and_the_frame(web: FixtureWeb) -> None:
    code, out, _ = cli(web, web.url("www.sourcepoint-presse.fr", "/"))
    assert code == 0
    assert "CMP        sourcepoint" in out
    assert "in frame https://cdn.privacy-mgmt.com/index.html?message_id=" in out
    assert "reject  'Tout refuser' (layer 1, cmp:sourcepoint) in https://cdn.privacy-mgmt.com/" in out
    assert "accept  'Tout accepter' (layer 1, cmp:sourcepoint)" in out


def test_probe_plans_clicks_only_in_the_consent_dialog_not_the_newsletter_beside_it(web: FixtureWeb) -> None:
    code, out, _ = cli(web, web.url("www.newsletter-presse.fr", "/"))
    assert code == 0
    assert "dialog     div#bandeau-cookies [role=dialog, fixed] (consent vocabulary score" in out
    assert "  not it: div#newsletter [role=dialog, fixed]: newsletter prompt" in out
    assert "reject  'Personnaliser' → 'Tout refuser' (layer 2, heuristic)" in out
    assert "Non merci" not in out.split("would click")[1]
    code, out, _ = cli(web, web.url("www.newsletter-presse.fr", "/"), "--json")
    report = json.loads(out)
    assert all(c["label"] not in ("Non merci", "Je m'inscris") for c in report["banner"]["controls"])


def test_probe_opens_the_settings_layer_to_show_pre_ticked_options(web: FixtureWeb) -> None:
    code, out, _ = cli(web, web.url("www.precoche-presse.fr", "/"), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["banner"]["second_layer"] == "inspected"
    boxes = {c["label"]: (c["checked"], c["disabled"]) for c in report["banner"]["controls"] if c["kind"] == "checkbox"}
    assert boxes == {
        "Strictement nécessaires": (True, True),
        "Mesure d'audience": (True, False),
        "Publicité": (True, False),
    }
    assert report["plan"]["reject"]["label"] == "Continuer sans accepter" and report["plan"]["reject"]["layer"] == 1


def test_probe_of_a_page_that_cannot_load_exits_3(web: FixtureWeb) -> None:
    code, out, err = cli(web, "https://www.dns-introuvable.fr/")
    assert code == ExitCode.SITE_FAILED
    assert "ERR_NAME_NOT_RESOLVED" in out and "ERR_NAME_NOT_RESOLVED" in err


async def _probe_all(web: FixtureWeb, hosts: list[str]) -> tuple[dict[str, ProbeReport], list[object]]:
    reports: dict[str, ProbeReport] = {}
    automation: list[object] = []
    async with BrowserSession(AuditOptions(extra_browser_args=tuple(web.chromium_args))) as session:
        for host in hosts:
            site = SiteConfig(url=web.url(host, "/"))
            context = await session.new_context(site)
            page = await context.new_page()
            await page.goto(site.url)
            reports[host] = await probe_page(page, site, banner_timeout=5)
            if host == hosts[0]:
                automation = await page.evaluate("[navigator.webdriver, navigator.userAgent]")
            await context.close()
    return reports, automation


def test_text_heuristics_alone_reach_into_frames_and_shadow_roots(
    web: FixtureWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(finders, "FINDERS", [f for f in consent.FINDERS if f[0] != "cmp"])
    reports, _ = asyncio.run(_probe_all(web, ["www.sourcepoint-presse.fr", "www.usercentrics-presse.fr"]))
    sp, uc = reports["www.sourcepoint-presse.fr"].plan, reports["www.usercentrics-presse.fr"].plan
    assert sp["reject"] is not None and sp["reject"].method == "heuristic"
    assert sp["reject"].frame_url.startswith("https://cdn.privacy-mgmt.com/")
    assert uc["reject"] is not None and (uc["reject"].label, uc["reject"].method) == ("Refuser", "heuristic")
    assert uc["accept"] is not None and uc["accept"].label == "Tout accepter"


def test_adapter_selectors_are_valid_and_the_browser_does_not_say_it_is_automated(web: FixtureWeb) -> None:
    reports, automation = asyncio.run(_probe_all(web, ["www.didomi-presse.fr", "www.axeptio-presse.fr"]))
    for report in reports.values():
        assert report.notes == (), report.notes  # a bad selector in an adapter would be reported here
        assert report.banner is not None and report.banner.found
    webdriver, user_agent = automation  # type: ignore[misc]
    assert webdriver is False and "HeadlessChrome" not in user_agent
