"""The ``withdraw`` phase in Chromium (issue 15): accept, find the way back, refuse there, reload.

Real consent managers from npm (tarteaucitron.js through its floating icon; Klaro, Orejime and
vanilla-cookieconsent through their own APIs, their fixture pages showing no link) and two fixture sites of
``auditor/fixtureweb``: one whose trackers keep running after a confirmed withdrawal, one with no way back.
All in one run (module fixture), judged by the default packs as ``consent-audit audit`` judges them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cmp_web import audit_sites, cmp_web, require_node_modules, site_of

from auditor.model import PhaseResult, RunResult, SiteResult, WithdrawalEvidence
from auditor.pipeline import build_pipeline

pytestmark = pytest.mark.browser

TARTE = "www.tarteaucitron-presse.fr"
BY_API = {
    "www.klaro-presse.fr": "api: klaro.show()",
    "www.orejime-presse.fr": "api: orejime.prompt()",
    "www.vanilla-presse.fr": "api: CookieConsent.showPreferences()",
}
KEEPS_TRACKING = "www.retrait-ignore.fr"
NO_WAY_BACK = "www.sans-retour.fr"
HOSTS = [TARTE, *BY_API, KEEPS_TRACKING, NO_WAY_BACK]
TRACKER_HOSTS = {
    "www.googletagmanager.com",
    "www.google-analytics.com",
    "connect.facebook.net",
    "www.facebook.com",
    "ad.doubleclick.net",
}


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunResult]:
    require_node_modules()
    out = Path(tmp_path_factory.mktemp("withdraw"))
    with cmp_web(out / "sites", npm=True) as web:
        yield audit_sites(web, HOSTS, out / "out", phases=("before", "reject", "accept", "withdraw"))


def judged(result: RunResult, host: str) -> SiteResult:
    return build_pipeline(None).postprocess(site_of(result, host))


def withdraw_of(site: SiteResult) -> tuple[PhaseResult, WithdrawalEvidence]:
    phase = site.phases["withdraw"]
    assert phase.withdrawal is not None, phase.error
    return phase, phase.withdrawal


def outcomes(site: SiteResult) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in site.findings:
        if f.phase == "withdraw":
            out.setdefault(f.rule, set()).add(f.outcome)
    return out


def assert_withdrawn_cleanly(site: SiteResult) -> WithdrawalEvidence:
    """The acceptance and the refusal both confirmed, and no tracker after the withdrawal."""
    phase, evidence = withdraw_of(site)
    assert phase.status == "ok", phase.error
    assert evidence.accept is not None and evidence.accept.effect == "confirmed"
    assert phase.consent is not None and phase.consent.action == "reject"
    assert phase.consent.effect == "confirmed", phase.consent.effect_reason
    assert evidence.confirmed
    assert {r.host for r in phase.requests} & TRACKER_HOSTS == set()
    judged_rules = outcomes(site)
    assert "baseline-withdraw-tracker-request" not in judged_rules
    assert "baseline-withdraw-tracker-cookie" not in judged_rules
    return evidence


def test_tarteaucitron_withdrawal_through_its_floating_icon_stops_the_trackers(result: RunResult) -> None:
    site = judged(result, TARTE)
    evidence = assert_withdrawn_cleanly(site)
    assert evidence.way_back == "control"
    assert evidence.path[0] == "Cookies (fenêtre modale)"  # its icon's title, found by its adapter
    assert "Tout refuser" in evidence.path and evidence.steps == len(evidence.path)
    changes = {c.name: c.change for c in evidence.cookies}
    assert changes["_ga"] == changes["_fbp"] == "removed"  # tarteaucitron purges its services' cookies
    assert "edpb-no-way-to-withdraw" not in outcomes(site)
    # The accept step's trackers were requested in this context, but before the withdrawal: not in the phase.
    accepted = site.phases["accept"]
    assert {r.host for r in accepted.requests} & TRACKER_HOSTS


@pytest.mark.parametrize("host", list(BY_API))
def test_withdrawal_through_the_consent_managers_api_is_no_way_back_for_the_user(result: RunResult, host: str) -> None:
    site = judged(result, host)
    evidence = assert_withdrawn_cleanly(site)
    assert evidence.way_back == "api"
    assert evidence.path[0] == BY_API[host]
    assert outcomes(site)["edpb-no-way-to-withdraw"] == {"fail"}


def test_trackers_that_keep_running_after_a_confirmed_withdrawal_are_findings(result: RunResult) -> None:
    site = judged(result, KEEPS_TRACKING)
    phase, evidence = withdraw_of(site)
    assert phase.status == "ok", phase.error
    assert evidence.way_back == "control"
    assert evidence.path == ("Gérer mes cookies", "Tout refuser") and evidence.steps == 2
    assert evidence.confirmed and phase.consent is not None and phase.consent.effect == "confirmed"
    assert {"connect.facebook.net", "www.facebook.com", "ad.doubleclick.net"} <= {r.host for r in phase.requests}
    changes = {c.name: c for c in evidence.cookies}
    assert changes["_fbp"].change == "renewed"
    assert changes["fr"].change == "renewed" and changes["fr"].sent
    failing = {(f.rule, f.subject.name) for f in site.findings if f.phase == "withdraw" and f.outcome == "fail"}
    assert ("baseline-withdraw-tracker-cookie", "_fbp") in failing
    assert any(rule == "baseline-withdraw-tracker-request" for rule, _ in failing)
    assert "edpb-no-way-to-withdraw" not in outcomes(site)


def test_a_page_without_a_way_back_is_reported_and_judges_no_refusal(result: RunResult) -> None:
    site = judged(result, NO_WAY_BACK)
    phase, evidence = withdraw_of(site)
    assert evidence.accept is not None and evidence.accept.effect == "confirmed"
    assert evidence.way_back == "none" and evidence.path == ()
    assert phase.status == "error" and phase.consent is not None and not phase.consent.clicked
    judged_rules = outcomes(site)
    assert judged_rules["edpb-no-way-to-withdraw"] == {"fail"}
    assert judged_rules["baseline-withdraw-tracker-request"] == {"error"}  # never a pass
    assert site.status == "ok"  # a phase that could not withdraw is not a site failure
