"""Evidence that is never lost (issue 9): what happens around the click, when a page is left, and where
the first load really ended — audited on the fixture web."""

from __future__ import annotations

import pytest

from auditor.fixtureweb import FixtureWeb
from auditor.model import PhaseResult, RunResult, SiteResult
from auditor.redact import redact_url

pytestmark = pytest.mark.browser

TRACES = "www.traces-discretes.fr"
WALL = "www.mur-consentement.fr"
WAITING_PIXEL = "https://ad.doubleclick.net/ddm/activity/src=attente;type=banner"
LEAVE_FETCH = redact_url("https://www.facebook.com/tr?id=550913277408126&ev=PageLeave")  # the pixel id is redacted
PAGEHIDE_BEACON = "https://stats.g.doubleclick.net/j/collect?t=pagehide"
WORKER_HIT = "https://www.google-analytics.com/collect?v=1&t=event&ec=service-worker"


@pytest.fixture(scope="module")
def run(audit_fixture_sites) -> RunResult:  # type: ignore[no-untyped-def]
    return audit_fixture_sites([TRACES, WALL], screenshots=False)  # type: ignore[no-any-return]


def site(run: RunResult, host: str) -> SiteResult:
    return next(s for s in run.sites if host in s.url)


def urls(phase: PhaseResult) -> list[str]:
    return [r.url for r in phase.requests]


def test_requests_made_while_waiting_for_the_banner_belong_to_before(run: RunResult) -> None:
    s = site(run, TRACES)
    assert s.status == "ok"
    assert WAITING_PIXEL in urls(s.phases["before"])
    assert WAITING_PIXEL not in urls(s.phases["reject"])
    assert s.phases["reject"].consent is not None and s.phases["reject"].consent.clicked


def test_beacons_sent_when_the_clicked_page_is_left_are_in_its_phase(run: RunResult) -> None:
    accept = site(run, TRACES).phases["accept"]
    beforeunload = [r for r in accept.requests if r.url == LEAVE_FETCH]
    assert len(beforeunload) == 1  # seen by Chromium and reported by the tap: listed once
    assert beforeunload[0].observed == "network" and beforeunload[0].party == "third"
    pagehide = [r for r in accept.requests if r.url == PAGEHIDE_BEACON]
    assert len(pagehide) == 1  # Chromium does not report it; the page tap did, once
    assert pagehide[0].observed == "page" and pagehide[0].resource_type == "beacon"
    assert pagehide[0].method == "POST" and pagehide[0].party == "third"
    reject = site(run, TRACES).phases["reject"]
    assert not {LEAVE_FETCH, PAGEHIDE_BEACON} & set(urls(reject))  # gated: only after accept


def test_the_pagehide_beacon_really_left(run: RunResult, fixture_web: FixtureWeb) -> None:
    assert fixture_web.wait_for_hit("stats.g.doubleclick.net", "/j/collect", timeout=5) is not None


def test_websocket_and_service_worker_requests_are_recorded(run: RunResult) -> None:
    before = site(run, TRACES).phases["before"]
    sockets = [r for r in before.requests if r.resource_type == "websocket"]
    assert [r.url for r in sockets] == ["wss://temps-reel.traceur-direct.com/flux?page=%2F"]
    assert sockets[0].party == "third" and sockets[0].host == "temps-reel.traceur-direct.com"
    assert sockets[0].failure  # the fixture web speaks no WebSocket: the attempt is the evidence
    everything = [r for p in site(run, TRACES).phases.values() for r in p.requests]
    worker = [r for r in everything if r.url == WORKER_HIT]
    assert worker and worker[0].initiator is None and worker[0].party == "third"


def test_session_storage_of_the_clicked_page_is_kept(run: RunResult) -> None:
    # window.open is blocked by the site: the second view is a new tab, without the clicked tab's sessionStorage
    for name, choice in (("reject", "rejected"), ("accept", "accepted")):
        phase = site(run, TRACES).phases[name]
        kept = [i for i in phase.storage if i.kind == "session" and i.key == "parcours_choix"]
        expected = [("https://www.traces-discretes.fr", "first", len(choice))]
        assert [(i.origin, i.party, i.size) for i in kept] == expected


def test_a_redirect_to_a_consent_wall_on_another_site_is_not_first_party(run: RunResult) -> None:
    s = site(run, WALL)
    assert s.first_party == ("mur-consentement.fr",)
    assert s.final_url is not None and s.final_url.startswith("https://consent.plateforme-consentement.com/")
    before = s.phases["before"]
    assert before.redirects == ("https://www.mur-consentement.fr/",)
    wall = [r for r in before.requests if r.host == "consent.plateforme-consentement.com"]
    assert wall and all(r.party == "third" for r in wall)
    consent_cookie = [c for p in s.phases.values() for c in p.cookies if c.name == "consent"]
    assert consent_cookie and all(c.party == "third" for c in consent_cookie)
    assert any("redirected to another site (plateforme-consentement.com" in w for w in before.warnings)
