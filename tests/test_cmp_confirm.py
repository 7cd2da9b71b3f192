"""Consent clicks that are not what they seem, end to end (issue 9): the effect of every click is checked.

Own banners on the CMP fixture web (``tests/fixtures/cmp-sites``, :data:`test_cmp_web.CONFIRM_SITES`): a
« Tout refuser » whose handler throws, a newsletter pop-up beside the cookie banner, a refusal stored
where the pages never read it, a banner shown 3 s after load, a « Tout refuser » that stores a consent,
pre-ticked purposes on a second layer; plus a site configuration pointing at the wrong control. All are
audited in one run (module fixture); no npm package is needed. Each test checks the recorded ``effect``,
the rule outcomes and the exit code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from test_cmp_web import CONFIRM_SITES, assert_choice_confirmed, cmp_web, gated_evidence

from auditor.config import AuditOptions, ControlSpec, SiteConfig
from auditor.model import Finding, RunResult, SiteResult
from auditor.pipeline import build_pipeline
from auditor.policy import exit_code_for
from auditor.results import RESULTS_FILE, read_results
from auditor.run import AuditPlan, run

pytestmark = pytest.mark.browser

PACKS = ("baseline", "cnil", "edpb-banner", "tcf")
"""Every built-in pack but the site-specific ones."""
WRONG_CONFIG_URL_PATH = "/?reglage=mauvais-bouton"
"""The newsletter site again, configured (wrongly) to refuse with the newsletter's « Non merci »."""


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunResult]:
    out = Path(tmp_path_factory.mktemp("cmp-confirm"))
    with cmp_web(out / "sites", npm=False) as web:
        sites = [SiteConfig(url=web.url(h, "/")) for h in CONFIRM_SITES]
        wrong = ControlSpec(selector="#newsletter-non")
        sites.append(SiteConfig(url=web.url("www.newsletter-presse.fr", WRONG_CONFIG_URL_PATH), reject=wrong))
        opts = AuditOptions(extra_browser_args=tuple(web.chromium_args))
        pipeline = build_pipeline(PACKS, sites)
        plan = AuditPlan(sites=tuple(sites), options=opts, out_dir=out / "out", arguments=("pytest",))
        run(replace(plan, postprocess=pipeline.postprocess))
        yield read_results(out / "out" / RESULTS_FILE)


def only(result: RunResult, site: SiteResult) -> int:
    """The exit code of a run made of this site alone."""
    return exit_code_for(replace(result, sites=(site,)))


def findings(site: SiteResult, phase: str) -> list[Finding]:
    return [f for f in site.findings if f.phase == phase]


def plain_site(result: RunResult, host: str) -> SiteResult:
    return next(s for s in result.sites if s.url.endswith(f"//{host}/"))


def assert_phase_not_evaluated(site: SiteResult, phase: str, why: str) -> None:
    """Every rule of the phase reports ``error`` with the reason; none passes, none fails on this evidence."""
    found = findings(site, phase)
    assert found, f"no {phase} finding at all"
    assert {f.outcome for f in found} == {"error"}, [(f.rule, f.outcome) for f in found]
    assert any(f.rule == "baseline-reject-verified" for f in found) or phase == "accept"
    assert all(why in f.message for f in found), found[0].message


def test_every_site_was_audited(result: RunResult) -> None:
    assert [s.status for s in result.sites] == ["ok"] * (len(CONFIRM_SITES) + 1)


def test_an_ignored_click_is_unconfirmed_and_fails_the_run(result: RunResult) -> None:
    site = plain_site(result, "www.clic-ignore-presse.fr")
    reject = site.phases["reject"].consent
    assert reject is not None and reject.clicked and reject.label == "Tout refuser"
    assert reject.effect == "unconfirmed"
    assert reject.effect_reason is not None and "still shown" in reject.effect_reason
    assert reject.effect_evidence is not None and reject.effect_evidence.stored == ()
    assert "Tout refuser" in reject.effect_evidence.still_shown
    # the evidence looks like a correct refusal (no tracker) but no rule may call it compliant
    assert gated_evidence(site.phases["reject"]) == set()
    assert_phase_not_evaluated(site, "reject", "refusal not confirmed (unconfirmed)")
    assert_choice_confirmed(site, "accept", "choix_cookies")
    assert only(result, site) == 1


def test_the_newsletter_pop_up_is_set_aside_and_the_refusal_made_in_the_cookie_banner(result: RunResult) -> None:
    site = plain_site(result, "www.newsletter-presse.fr")
    reject = site.phases["reject"].consent
    assert reject is not None
    assert reject.step_labels == ("Personnaliser", "Tout refuser")
    assert_choice_confirmed(site, "reject", "choix_cookies")
    banner = site.phases["before"].banner
    assert banner is not None and banner.dialog is not None and "bandeau-cookies" in banner.dialog
    assert banner.text is not None and "cookies" in banner.text and "newsletter" not in banner.text
    assert any("newsletter" in d and "set aside" in d for d in banner.other_dialogs), banner.other_dialogs
    assert all(c.label not in ("Non merci", "Je m'inscris") for c in banner.controls)
    # refusing takes two clicks here (genuine banner findings), but every rule could be evaluated
    assert not [f for f in site.findings if f.outcome == "error"], [f.message for f in site.findings]


def test_a_click_on_the_wrong_control_is_unconfirmed(result: RunResult) -> None:
    site = next(s for s in result.sites if s.url.endswith(WRONG_CONFIG_URL_PATH))
    reject = site.phases["reject"].consent
    assert reject is not None and reject.clicked and reject.method == "config" and reject.label == "Non merci"
    assert reject.effect == "unconfirmed", reject.effect_reason
    assert reject.effect_evidence is not None and reject.effect_evidence.stored == ()
    assert_phase_not_evaluated(site, "reject", "refusal not confirmed (unconfirmed)")
    assert only(result, site) == 1


def test_a_banner_back_on_the_next_page_is_unconfirmed(result: RunResult) -> None:
    site = plain_site(result, "www.bandeau-revient-presse.fr")
    reject = site.phases["reject"].consent
    assert reject is not None and reject.effect == "unconfirmed"
    evidence = reject.effect_evidence
    assert evidence is not None and evidence.banner_back is True and evidence.still_shown == ()
    assert [(s.key, s.says) for s in evidence.stored] == [("consent", "reject")]
    assert reject.effect_reason is not None and "came back" in reject.effect_reason
    # the choice not remembered is itself a violation (cnil-choice-remembered); every other rule of the
    # phase is not evaluated, since the refusal is not confirmed
    forgotten = [f for f in findings(site, "reject") if f.rule == "cnil-choice-remembered"]
    assert [f.outcome for f in forgotten] == ["fail"]
    others = [f for f in findings(site, "reject") if f.rule != "cnil-choice-remembered"]
    assert others and {f.outcome for f in others} == {"error"} and all("came back" in f.message for f in others)
    assert_choice_confirmed(site, "accept", "consent")
    assert only(result, site) == 1


def test_a_late_banner_at_the_end_of_a_heavy_page_is_waited_for_and_scanned(result: RunResult) -> None:
    site = plain_site(result, "www.bandeau-tardif-presse.fr")
    before = site.phases["before"]
    assert before.banner is not None and before.banner.found
    assert {c.label for c in before.banner.controls} >= {"Tout refuser", "Tout accepter"}
    for role in ("reject", "accept"):
        assert_choice_confirmed(site, role, "choix_cookies")
    assert gated_evidence(site.phases["reject"]) == set()
    assert only(result, site) == 0


def test_a_refusal_stored_as_consent_is_contradicted_and_reported(result: RunResult) -> None:
    site = plain_site(result, "www.faux-refus-presse.fr")
    reject = site.phases["reject"].consent
    assert reject is not None and reject.effect == "contradicted"
    assert reject.effect_evidence is not None
    assert [(s.key, s.says) for s in reject.effect_evidence.stored] == [("consent", "accept")]
    contradiction = [f for f in site.findings if f.rule == "baseline-reject-not-contradicted"]
    assert [f.outcome for f in contradiction] == ["fail"]
    stored = contradiction[0].evidence["effect_evidence"]["stored"]
    assert stored[0]["key"] == "consent" and stored[0]["says"] == "accept"
    assert stored[0]["value"] == "<redacted: 8 chars>"  # what the value says is kept, the value is not
    others = [f for f in findings(site, "reject") if f.rule != "baseline-reject-not-contradicted"]
    assert others and {f.outcome for f in others} == {"error"}
    assert only(result, site) == 1


def test_a_first_layer_refusal_beside_pre_ticked_settings_is_confirmed(result: RunResult) -> None:
    site = plain_site(result, "www.precoche-presse.fr")
    reject = site.phases["reject"].consent
    assert reject is not None and reject.step_labels == ("Continuer sans accepter",)
    assert_choice_confirmed(site, "reject", "choix_cookies")
    # refusing on the first layer, the reject context never opens the settings layer; the accept context
    # opens it, choosing nothing, and the banner as first shown is judged with both layers
    banner = site.phases["before"].banner
    assert banner is not None and banner.second_layer == "inspected"
    ticked = {c.label for c in banner.controls if c.layer == 2 and c.kind == "checkbox" and c.checked}
    assert ticked, "the pre-ticked options of the settings layer are in the evidence"
    # so the pre-ticked-boxes rule judges them: a violation with its evidence, not "not evaluated"
    pre_ticked = [f for f in site.findings if f.rule == "edpb-pre-ticked-boxes"]
    assert pre_ticked and {(f.phase, f.outcome) for f in pre_ticked} == {("before", "fail")}
    accept = site.phases["accept"].consent
    assert accept is not None and accept.steps == 1  # the inspection is not a step of the choice
    assert only(result, site) == 1


def test_an_opened_second_layer_is_recorded_as_inspected(result: RunResult) -> None:
    banner = plain_site(result, "www.newsletter-presse.fr").phases["reject"].banner
    assert banner is not None and banner.second_layer == "inspected"
    assert {c.label for c in banner.controls if c.layer == 2 and c.kind == "checkbox"} == {
        "Mesure d'audience",
        "Publicité personnalisée",
    }
    no_settings = plain_site(result, "www.faux-refus-presse.fr").phases["before"].banner
    assert no_settings is not None and no_settings.second_layer == "none"
