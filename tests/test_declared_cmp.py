"""Reading the real npm consent managers' own configurations (tests/fixtures/cmp: tarteaucitron, Klaro, Orejime,
vanilla-cookieconsent, the IAB's TCF CMP API), as ``consent-audit policy draft`` does (issue 14).

All sites are read in one browser (module fixture), nothing clicked. Skipped, with the reason, when ``npm ci``
was not run in ``tests/fixtures/cmp``.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cmp_web import cmp_web, require_node_modules

from auditor.browser.session import BrowserSession
from auditor.config import AuditOptions, SiteConfig
from auditor.declared import DraftedPolicy, draft_policy
from auditor.declared.cmpconfig import CMP_CONFIG_JS, CmpReading, parse_cmp_config
from auditor.declared.visit import fetch_pages, read_page
from auditor.fixtureweb import FixtureWeb

pytestmark = pytest.mark.browser

HOSTS = (
    "www.tarteaucitron-presse.fr",
    "www.klaro-presse.fr",
    "www.orejime-presse.fr",
    "www.vanilla-presse.fr",
    "www.tcf-presse.fr",
)


async def _read_all(web: FixtureWeb) -> dict[str, DraftedPolicy]:
    options = AuditOptions(extra_browser_args=tuple(web.chromium_args), screenshots=False)
    out: dict[str, DraftedPolicy] = {}
    async with BrowserSession(options) as session:
        for host in HOSTS:
            site = SiteConfig(url=web.url(host, "/"))
            context = await session.new_context(site)
            try:
                page = await context.new_page()
                await page.goto(site.url, wait_until="load")
                inputs = await read_page(page, site, banner_timeout=options.banner_timeout)
                pages = await fetch_pages(context, inputs.pages, options.timeout)
            finally:
                await context.close()
            out[host] = draft_policy(dataclasses.replace(inputs, pages=pages))
            out[host + "#raw"] = inputs.cmp_config
        # The real vanilla-cookieconsent, run again on www.vanilla-presse.fr with a cookieTable and autoClear cookies
        # (CookieConsent.reset, then CookieConsent.run: the library's own API).
        vanilla = SiteConfig(url=web.url("www.vanilla-presse.fr", "/"))
        context = await session.new_context(vanilla)
        try:
            page = await context.new_page()
            await page.goto(vanilla.url, wait_until="load")
            await page.wait_for_function("() => window.CookieConsent && CookieConsent.getConfig().categories")
            await page.evaluate(VANILLA_TABLE)
            out["vanilla-table#raw"] = await page.main_frame.evaluate(CMP_CONFIG_JS)
        finally:
            await context.close()
        # No OneTrust or TCF v2.0 CMP is available offline: the documented API shapes, served inline.
        context = await session.new_context(SiteConfig(url="https://www.example.fr/"))
        try:
            page = await context.new_page()
            await page.set_content(API_SHAPES)
            out["api-shapes#raw"] = await page.main_frame.evaluate(CMP_CONFIG_JS)
        finally:
            await context.close()
    return out


VANILLA_TABLE = """async () => {
  CookieConsent.reset(true);
  await CookieConsent.run({
    categories: { necessary: { enabled: true, readOnly: true },
                  analytics: { autoClear: { cookies: [{ name: /^_ga/ }, { name: "_gid" }] } } },
    language: { default: "fr", translations: { fr: {
      consentModal: { title: "Cookies", description: "Mesure d'audience", acceptAllBtn: "Tout accepter",
                      acceptNecessaryBtn: "Tout refuser" },
      preferencesModal: { title: "Paramètres", sections: [
        { title: "Strictement nécessaires", linkedCategory: "necessary" },
        { title: "Mesure d'audience", linkedCategory: "analytics",
          cookieTable: { headers: { name: "Nom", domain: "Domaine", desc: "Description" },
                         body: [{ name: "_ga", domain: "www.vanilla-presse.fr", desc: "Google Analytics, 13 mois" }] } }
      ] } } } }
  });
}"""

API_SHAPES = """<script>
window.OneTrust = { GetDomainData: function () { return { Groups: [
  { GroupName: "Strictly Necessary Cookies", OptanonGroupId: "C0001",
    FirstPartyCookies: [{ Name: "OptanonConsent", Host: "www.example.fr", Length: "365", IsSession: false }] },
  { GroupName: "Targeting Cookies", OptanonGroupId: "C0004", FirstPartyCookies: [],
    Hosts: [{ HostName: "doubleclick.net", Cookies: [{ Name: "IDE", Host: ".doubleclick.net", Length: "390" }] }] }
] }; } };
window.__tcfapi = function (command, version, callback) {
  var gvl = { vendors: { "755": { id: 755, name: "Google Advertising Products" } } };
  if (command === "getVendorList") callback(gvl, true);
};
</script>"""


@pytest.fixture(scope="module")
def readings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    require_node_modules()
    with cmp_web(Path(tmp_path_factory.mktemp("cmp-declared")) / "sites", npm=True) as web:
        yield asyncio.run(_read_all(web))  # type: ignore[arg-type]


def policy(readings: dict[str, object], host: str) -> DraftedPolicy:
    found = readings[host]
    assert isinstance(found, DraftedPolicy)
    return found


def reading(readings: dict[str, object], host: str) -> CmpReading:
    return parse_cmp_config(readings[host + "#raw"], "https://" + host + "/")


def test_tarteaucitron_services_and_their_cookies(readings: dict[str, object]) -> None:
    p = policy(readings, "www.tarteaucitron-presse.fr")
    assert p.cmp == "tarteaucitron"
    assert {(s.name, s.category) for s in p.services} == {("gtag", "analytics"), ("facebookpixel", "advertising")}
    names = {c.name: c for c in p.cookies}
    assert {"_fbp", "fr", "_ga", "_ga_TARTE2024"} <= set(names)  # tarteaucitron's own service definitions
    assert names["_fbp"].category == "advertising" and names["_ga"].category == "analytics"
    assert names["_fbp"].row.startswith("tarteaucitron configuration: service 'Facebook Pixel'")


def test_klaro_services_with_regex_cookies(readings: dict[str, object]) -> None:
    p = policy(readings, "www.klaro-presse.fr")
    assert p.cmp == "klaro"
    assert {s.title for s in p.services} == {"Google Analytics", "Pixel Meta"}
    assert {(c.name, c.category) for c in p.cookies} == {("re:^_ga(_.*)?$", "analytics"), ("_fbp", "advertising")}


def test_orejime_purposes_and_cookies(readings: dict[str, object]) -> None:
    p = policy(readings, "www.orejime-presse.fr")
    assert p.cmp == "orejime"
    assert {(s.name, s.category) for s in p.services} == {("audience", "analytics"), ("publicite", "advertising")}
    assert {c.name for c in p.cookies} == {"_ga", "re:^_ga_", "_fbp"}


def test_vanilla_cookieconsent_categories(readings: dict[str, object]) -> None:
    p = policy(readings, "www.vanilla-presse.fr")
    assert p.cmp == "vanilla-cookieconsent"
    assert {(s.name, s.category) for s in p.services} == {
        ("necessary", "necessary"),
        ("analytics", "analytics"),
        ("ads", "advertising"),
    }
    # its configuration has no cookieTable and no autoClear: no cookie is declared, and the pack says so
    assert p.cookies == ()
    assert "cookies" in p.unreadable


def test_a_tcf_cmp_without_vendor_list_is_unreadable_not_empty(readings: dict[str, object]) -> None:
    # The IAB's cmpapi (TCF v2.2) no longer answers getVendorList: the declared vendors cannot be read, and the
    # drafted pack marks them unreadable (its TCF vendor rule reports outcome error) instead of declaring none.
    r = reading(readings, "www.tcf-presse.fr")
    assert r.tcf and r.tcf_vendors is None
    p = policy(readings, "www.tcf-presse.fr")
    assert p.unreadable["tcf_vendors"] == "the TCF CMP did not answer __tcfapi('getVendorList')"
    assert "vendors" not in p.unreadable


def test_onetrust_groups_and_a_tcf_vendor_list(readings: dict[str, object]) -> None:
    r = reading(readings, "api-shapes")
    assert r.cmp == "onetrust"
    assert [(s.name, s.category, s.domains) for s in r.services] == [
        ("C0001", "necessary", ()),
        ("C0004", "advertising", ("doubleclick.net",)),
    ]
    cookies = {c.name: c for c in r.cookies}
    assert (cookies["IDE"].domain, cookies["IDE"].lifetime_days, cookies["IDE"].category) == (
        ".doubleclick.net",
        390.0,
        "advertising",
    )
    assert r.tcf_vendors == ((755, "Google Advertising Products"),)


def test_vanilla_cookieconsent_cookie_table_and_autoclear(readings: dict[str, object]) -> None:
    r = reading(readings, "vanilla-table")
    assert r.cmp == "vanilla-cookieconsent"
    assert [(s.name, s.category) for s in r.services] == [("necessary", "necessary"), ("analytics", "analytics")]
    assert [(c.name, c.domain, c.category, c.vendor) for c in r.cookies] == [
        ("_ga", "www.vanilla-presse.fr", "analytics", "Mesure d'audience"),
        ("re:^_ga", None, "analytics", "Mesure d'audience"),
        ("_gid", None, "analytics", "Mesure d'audience"),
    ]
