"""Real consent managers from npm on the fixture web: recognised, reject and accept both pressed (issues 4, 12).

tarteaucitron.js, vanilla-cookieconsent (with its default ``hideFromBots``), Klaro, Orejime, Osano's
cookieconsent and a TCF CMP built from the IAB's ``@iabtechlabtcf`` stub, cmpapi and core; then
(issue 12) cookies-eu-banner, Porsche's cookie-consent-banner and HTML Bricks' cookie-law banner (web
components), Mozilla's consent banner, cookie-consent-js and DEMOS' dp-consent (a German site), each
configured like a news site that gates Google Analytics and the Meta pixel. All sites are
audited in one run (module fixture); the tests read that run. Skipped, with the reason, when
``npm ci`` was not run in ``tests/fixtures/cmp``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cmp_web import (
    REAL_SITES,
    STORED_KEYS,
    assert_choice_confirmed,
    audit_sites,
    cmp_web,
    gated_evidence,
    markdown_table,
    require_node_modules,
    site_of,
)

from auditor.model import RunResult, SiteResult, StoredChoice, TcfState

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(tmp_path_factory.mktemp("cmp-real"))


@pytest.fixture(scope="module")
def result(out_dir: Path) -> Iterator[RunResult]:
    require_node_modules()
    with cmp_web(out_dir / "sites", npm=True) as web:
        # keep_values: the tests read the consent managers' own cookie values and TC strings
        yield audit_sites(web, list(REAL_SITES), out_dir / "out", keep_values=True)


def test_table(result: RunResult) -> None:
    print("\n" + markdown_table(result, list(REAL_SITES)))
    assert [s.status for s in result.sites] == ["ok"] * len(REAL_SITES)


@pytest.mark.parametrize("host", list(REAL_SITES))
def test_cmp_is_recognised(result: RunResult, host: str) -> None:
    before = site_of(result, host).phases["before"]
    assert before.banner is not None and before.banner.found
    assert before.banner.cmp == REAL_SITES[host]


@pytest.mark.parametrize("host", list(REAL_SITES))
def test_reject_and_accept_are_both_clicked(result: RunResult, host: str) -> None:
    site = site_of(result, host)
    for role in ("reject", "accept"):
        phase = site.phases[role]
        assert phase.status == "ok", phase.error
        assert phase.consent is not None and phase.consent.clicked, phase.consent
        assert phase.consent.steps == len(phase.consent.step_labels) >= 1


@pytest.mark.parametrize("host", list(REAL_SITES))
def test_reject_and_accept_are_confirmed_by_the_stored_choice(result: RunResult, host: str) -> None:
    site = site_of(result, host)
    for role in ("reject", "accept"):
        assert_choice_confirmed(site, role, STORED_KEYS[host])


@pytest.mark.parametrize("host", list(REAL_SITES))
def test_gated_trackers_follow_the_choice(result: RunResult, host: str) -> None:
    site = site_of(result, host)
    assert gated_evidence(site.phases["before"]) == set()
    assert gated_evidence(site.phases["reject"]) == set()
    accepted = gated_evidence(site.phases["accept"])
    assert {"_ga", "_fbp", "www.googletagmanager.com", "www.facebook.com"} <= accepted


@pytest.mark.parametrize("host", list(REAL_SITES))
def test_first_layer_evidence_and_banner_screenshot(result: RunResult, host: str, out_dir: Path) -> None:
    before = site_of(result, host).phases["before"]
    assert before.banner is not None
    first = [c for c in before.banner.controls if c.layer == 1]
    roles = {c.role for c in first}
    assert "accept" in roles
    for c in first:
        if c.role in ("accept", "reject"):
            assert c.width and c.height and c.color and c.background and c.contrast
    assert before.banner.text
    assert before.banner.screenshot is not None
    assert (out_dir / "out" / before.banner.screenshot).stat().st_size > 1000


def test_vanilla_cookieconsent_does_not_take_the_auditor_for_a_bot(result: RunResult) -> None:
    # hideFromBots is left at its default: the banner only shows to a browser that does not say it is automated.
    reject = site_of(result, "www.vanilla-presse.fr").phases["reject"]
    assert reject.consent is not None and reject.consent.label == "Tout refuser"
    assert reject.consent.method == "cmp:vanilla-cookieconsent"


def test_tarteaucitron_cookie_before_any_choice_is_not_consent(result: RunResult) -> None:
    site = site_of(result, "www.tarteaucitron-presse.fr")
    before = {c.name: c.value for c in site.phases["before"].cookies}
    assert "wait" in before["tarteaucitron"] and "true" not in before["tarteaucitron"]
    rejected = {c.name: c.value for c in site.phases["reject"].cookies}["tarteaucitron"]
    assert "gtag=false" in rejected and "facebookpixel=false" in rejected


def test_osano_reject_is_a_text_link_beside_a_button(result: RunResult) -> None:
    banner = site_of(result, "www.osano-presse.fr").phases["before"].banner
    assert banner is not None
    kinds = {c.role: c.kind for c in banner.controls if c.layer == 1 and c.role in ("accept", "reject")}
    assert kinds == {"accept": "button", "reject": "link"}


def _tcf(states: tuple[TcfState, ...], source: str) -> TcfState:
    return next(s for s in states if s.source == source)


def test_tcf_cmp_reject_stores_no_purpose_consent(result: RunResult) -> None:
    site = site_of(result, "www.tcf-presse.fr")
    before = site.phases["before"]
    assert not any(s.source == "cookie" for s in before.tcf)  # nothing stored before the choice
    api_before = _tcf(before.tcf, "api")
    assert api_before.purpose_consents == () and api_before.cmp_status == "loaded"
    for source in ("api", "cookie"):
        state = _tcf(site.phases["reject"].tcf, source)
        assert state.valid, state.error
        assert state.cmp_id == 4000
        assert state.purpose_consents == () and state.vendor_consents == ()
        assert state.purpose_legitimate_interests == ()


def test_tcf_cmp_accept_stores_every_purpose_and_vendor(result: RunResult) -> None:
    site = site_of(result, "www.tcf-presse.fr")
    for source in ("api", "cookie"):
        state = _tcf(site.phases["accept"].tcf, source)
        assert state.valid, state.error
        assert state.purpose_consents == tuple(range(1, 12))
        assert set(state.vendor_consents) == {755, 1234}
        assert state.special_feature_optins == (1, 2)
    cookie = _tcf(site.phases["accept"].tcf, "cookie").tc_string
    assert cookie == _tcf(site.phases["accept"].tcf, "api").tc_string


def test_a_site_audited_alone_is_clicked_after_its_consent_manager_is_ready(tmp_path: Path) -> None:
    """Regression: tarteaucitron registers its services after load and ignores an earlier click.

    Audited with the other sites the page had time to get ready by chance; alone, the accept context
    clicked at DOMContentLoaded and saw no gated tracker. Both contexts now let the page settle first.
    """
    require_node_modules()
    with cmp_web(tmp_path / "sites", npm=True) as web:
        alone = audit_sites(web, ["www.tarteaucitron-presse.fr"], tmp_path / "out")
    accept = alone.sites[0].phases["accept"]
    assert accept.consent is not None and accept.consent.clicked
    assert_choice_confirmed(alone.sites[0], "accept", "tarteaucitron")
    assert {"_ga", "_fbp", "www.googletagmanager.com", "www.facebook.com"} <= gated_evidence(accept)


def _stored(site: SiteResult, role: str, key: str) -> StoredChoice:
    action = site.phases[role].consent
    assert action is not None and action.effect_evidence is not None
    return next(s for s in action.effect_evidence.stored if s.key == key)


def test_a_list_of_accepted_categories_is_read_as_the_choice(result: RunResult) -> None:
    # Porsche's web component stores the accepted category keys, comma-separated: only the mandatory one
    # is a refusal, all of them an acceptance (the necessary category is never a choice).
    site = site_of(result, "www.porsche-presse.fr")
    rejected = _stored(site, "reject", "cookies_accepted_categories")
    assert (rejected.value, rejected.granted) == ("technically_required", ())
    accepted = _stored(site, "accept", "cookies_accepted_categories")
    assert set(accepted.granted) == {"analytics", "marketing"} and accepted.refused == ()


def test_web_components_in_shadow_roots_are_pressed(result: RunResult) -> None:
    for host in ("www.porsche-presse.fr", "www.htmlbricks-presse.fr"):
        site = site_of(result, host)
        for role in ("reject", "accept"):
            action = site.phases[role].consent
            assert action is not None and action.method == f"cmp:{REAL_SITES[host]}", (host, role, action)
    labels = {r: site_of(result, "www.htmlbricks-presse.fr").phases[r].consent for r in ("reject", "accept")}
    assert {r: a.label for r, a in labels.items() if a is not None} == {"reject": "I Decline", "accept": "I Agree"}
    stored = _stored(site_of(result, "www.htmlbricks-presse.fr"), "reject", "cookielaw")
    assert (stored.store, stored.value) == ("local", "no")


def test_a_settings_link_that_leaves_the_page_does_not_lose_the_banner(result: RunResult) -> None:
    # Mozilla's recommended markup puts « Cookie settings », a link to another page, beside the buttons:
    # the accept context's look at the settings layer follows it, then comes back to accept on the banner.
    site = site_of(result, "www.mozilla-presse.fr")
    before = site.phases["before"].banner
    assert before is not None
    assert [c.label for c in before.controls if c.role == "settings"] == ["Paramètres des cookies"]
    accept = site.phases["accept"].consent
    assert accept is not None and accept.step_labels == ("Accepter tous les cookies facultatifs",)
    assert site.phases["accept"].banner is not None
    assert site.phases["accept"].banner.second_layer == "not-inspected"


def test_german_labels_of_dp_consent(result: RunResult) -> None:
    site = site_of(result, "www.dpconsent-nachrichten.de")
    labels = {r: site.phases[r].consent for r in ("reject", "accept")}
    assert {r: a.label for r, a in labels.items() if a is not None} == {"reject": "Ablehnen", "accept": "Zustimmen"}
