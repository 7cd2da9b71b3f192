"""Look-alikes of commercial consent managers, and sites' own banners, on the fixture web (issue 4).

Didomi (reject as a small "Continuer sans accepter →" link), Sourcepoint (message in a cross-origin
iframe), OneTrust (no reject anywhere: settings, untick a pre-ticked purpose, confirm), Usercentrics
(banner in an open shadow root), Quantcast Choice, Cookiebot, Axeptio: each a minimal DOM with the
vendor's public ids and classes (``tests/fixtures/cmp-sites``). Plus two banners without any CMP
signature (reject only on the second layer; reject as a small text link) and one with no reject at
all. All are audited in one run (module fixture); no npm package is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cmp_web import (
    LOOKALIKE_SITES,
    NO_REJECT_SITE,
    STORED_KEYS,
    assert_choice_confirmed,
    audit_sites,
    cmp_web,
    gated_evidence,
    markdown_table,
    site_of,
)

from auditor.model import BannerControl, RunResult, SiteResult

pytestmark = pytest.mark.browser

HOSTS = [*LOOKALIKE_SITES, NO_REJECT_SITE]


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(tmp_path_factory.mktemp("cmp-lookalike"))


@pytest.fixture(scope="module")
def result(out_dir: Path) -> Iterator[RunResult]:
    with cmp_web(out_dir / "sites", npm=False) as web:
        yield audit_sites(web, HOSTS, out_dir / "out")


def first_layer(site: SiteResult, role: str) -> BannerControl:
    banner = site.phases["before"].banner
    assert banner is not None
    return next(c for c in banner.controls if c.layer == 1 and c.role == role)


def test_table(result: RunResult) -> None:
    print("\n" + markdown_table(result, HOSTS))
    assert [s.status for s in result.sites] == ["ok"] * len(HOSTS)


@pytest.mark.parametrize("host", list(LOOKALIKE_SITES))
def test_cmp_is_recognised(result: RunResult, host: str) -> None:
    banner = site_of(result, host).phases["before"].banner
    assert banner is not None and banner.found
    assert banner.cmp == LOOKALIKE_SITES[host]


@pytest.mark.parametrize("host", list(LOOKALIKE_SITES))
def test_reject_and_accept_are_both_clicked(result: RunResult, host: str) -> None:
    site = site_of(result, host)
    expected = f"cmp:{LOOKALIKE_SITES[host]}" if LOOKALIKE_SITES[host] else "heuristic"
    for role in ("reject", "accept"):
        phase = site.phases[role]
        assert phase.status == "ok", phase.error
        assert phase.consent is not None and phase.consent.clicked, phase.consent
        assert phase.consent.method == expected
        assert phase.consent.steps == len(phase.consent.step_labels) >= 1


@pytest.mark.parametrize("host", list(LOOKALIKE_SITES))
def test_reject_and_accept_are_confirmed_by_the_stored_choice(result: RunResult, host: str) -> None:
    site = site_of(result, host)
    for role in ("reject", "accept"):
        assert_choice_confirmed(site, role, STORED_KEYS[host])


def test_a_banner_without_refusal_confirms_only_the_acceptance(result: RunResult) -> None:
    site = site_of(result, NO_REJECT_SITE)
    reject = site.phases["reject"].consent
    assert reject is not None and not reject.clicked and reject.effect is None
    assert_choice_confirmed(site, "accept", STORED_KEYS[NO_REJECT_SITE])


@pytest.mark.parametrize("host", HOSTS)
def test_gated_trackers_follow_the_choice(result: RunResult, host: str) -> None:
    site = site_of(result, host)
    assert gated_evidence(site.phases["before"]) == set()
    assert gated_evidence(site.phases["reject"]) == set()
    accepted = gated_evidence(site.phases["accept"])
    assert {"_ga", "_fbp", "www.googletagmanager.com", "www.facebook.com"} <= accepted


@pytest.mark.parametrize("host", HOSTS)
def test_banner_screenshot_is_taken_before_the_click(result: RunResult, host: str, out_dir: Path) -> None:
    site = site_of(result, host)
    banner = site.phases["before"].banner
    assert banner is not None and banner.screenshot
    assert (out_dir / "out" / banner.screenshot).stat().st_size > 1000
    # Shot once per site: the accept context, which saw the same banner, takes no second picture.
    accepted = site.phases["accept"].banner
    assert accepted is not None and accepted.found and accepted.screenshot is None


def test_didomi_reject_is_a_small_low_contrast_link(result: RunResult) -> None:
    site = site_of(result, "www.didomi-presse.fr")
    reject, accept = first_layer(site, "reject"), first_layer(site, "accept")
    assert reject.label == "Continuer sans accepter →" and reject.kind == "link"
    assert accept.kind == "button"
    assert reject.width * reject.height < accept.width * accept.height / 2  # type: ignore[operator]
    assert reject.contrast is not None and accept.contrast is not None and reject.contrast < 4.5 <= accept.contrast


def test_sourcepoint_choice_is_made_inside_the_cross_origin_frame(result: RunResult) -> None:
    site = site_of(result, "www.sourcepoint-presse.fr")
    for role in ("reject", "accept"):
        consent = site.phases[role].consent
        assert consent is not None and consent.frame_url is not None
        assert consent.frame_url.startswith("https://cdn.privacy-mgmt.com/index.html?message_id=")
    banner = site.phases["before"].banner
    assert banner is not None and banner.frame_url and "privacy-mgmt.com" in banner.frame_url
    assert banner.text and "Vos choix concernant les cookies" in banner.text
    assert "consentUUID" in {c.name for c in site.phases["reject"].cookies}


def test_usercentrics_shadow_root_is_pierced(result: RunResult) -> None:
    site = site_of(result, "www.usercentrics-presse.fr")
    assert first_layer(site, "reject").label == "Refuser"
    consent = site.phases["reject"].consent
    assert consent is not None and consent.step_labels == ("Refuser",)


def test_onetrust_refusal_takes_three_steps_and_the_pre_ticked_box_is_evidence(result: RunResult) -> None:
    site = site_of(result, "www.onetrust-presse.fr")
    reject, accept = site.phases["reject"].consent, site.phases["accept"].consent
    assert reject is not None and accept is not None
    assert reject.step_labels == ("Paramétrer les cookies", "untick: Mesure d'audience", "Confirmer mes choix")
    assert reject.steps == 3 and accept.steps == 1
    banner = site.phases["reject"].banner
    assert banner is not None
    assert not any(c.role == "reject" for c in banner.controls)
    ticked = [c for c in banner.controls if c.layer == 2 and c.kind == "checkbox" and c.checked]
    assert {c.label for c in ticked} >= {"Mesure d'audience"}


def test_reject_only_on_the_second_layer(result: RunResult) -> None:
    site = site_of(result, "www.second-niveau-presse.fr")
    reject, accept = site.phases["reject"].consent, site.phases["accept"].consent
    assert reject is not None and accept is not None
    assert reject.step_labels == ("Paramétrer vos choix", "Tout refuser") and reject.steps == 2
    assert accept.step_labels == ("Tout accepter",) and accept.steps == 1
    banner = site.phases["reject"].banner
    assert banner is not None
    layers = {(c.layer, c.role) for c in banner.controls}
    assert (1, "reject") not in layers and (2, "reject") in layers and (1, "settings") in layers
    # The refusal opened the settings layer: the banner as first shown is judged with it, and the accept
    # context does not open it a second time.
    before, accepted = site.phases["before"].banner, site.phases["accept"].banner
    assert before is not None and before.second_layer == "inspected"
    assert accepted is not None and accepted.second_layer == "not-inspected"
    assert not any(c.layer >= 2 for c in accepted.controls)


def test_reject_as_a_small_text_link_beside_a_big_button(result: RunResult) -> None:
    site = site_of(result, "www.lien-refus-presse.fr")
    reject, accept = first_layer(site, "reject"), first_layer(site, "accept")
    assert (reject.kind, accept.kind) == ("link", "button")
    assert reject.font_size is not None and accept.font_size is not None and reject.font_size < accept.font_size
    assert reject.width * reject.height < accept.width * accept.height / 5  # type: ignore[operator]


def test_missing_reject_is_reported_with_the_controls_seen(result: RunResult) -> None:
    site = site_of(result, NO_REJECT_SITE)
    reject = site.phases["reject"]
    assert reject.status == "error"
    assert reject.consent is not None and not reject.consent.clicked
    assert reject.consent.reason == "no reject control found on the first layer"
    assert set(reject.consent.candidates) >= {"Accepter", "En savoir plus"}
    accept = site.phases["accept"].consent
    assert accept is not None and accept.clicked
