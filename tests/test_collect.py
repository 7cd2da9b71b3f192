"""End-to-end collection on the fixture web: what each phase must contain (issue 2)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from auditor.config import SiteConfig
from auditor.fixtureweb import FixtureWeb
from auditor.model import PhaseResult, RunResult, SiteResult, to_jsonable
from auditor.resources import schema_path
from auditor.results import JOURNAL_FILE, iter_journal

pytestmark = pytest.mark.browser

CONFORME = "www.journal-conforme.fr"
PISTEURS = "www.gazette-pisteurs.fr"
IGNORE = "www.quotidien-ignore.fr"
SANS = "www.sans-banniere.fr"
UK = "www.example-news.co.uk"


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(tmp_path_factory.mktemp("collect"))


@pytest.fixture(scope="module")
def run(audit_fixture_sites, fixture_web: FixtureWeb, out_dir: Path) -> RunResult:  # type: ignore[no-untyped-def]
    uk = SiteConfig(url=fixture_web.url(UK, "/"), first_party=("example-news-static.com",))
    return audit_fixture_sites([CONFORME, PISTEURS, IGNORE, SANS, uk], out=out_dir)  # type: ignore[no-any-return]


def site(run: RunResult, host: str) -> SiteResult:
    return next(s for s in run.sites if host in s.url)


def cookie_names(phase: PhaseResult, party: str | None = None) -> set[str]:
    return {c.name for c in phase.cookies if party is None or c.party == party}


def third_hosts(phase: PhaseResult) -> set[str]:
    return {r.host for r in phase.requests if r.party == "third"}


def test_results_file_matches_published_schema(run: RunResult) -> None:
    schema = json.loads(schema_path("results.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(to_jsonable(run), schema)
    assert run.browser.version and run.browser.user_agent and "HeadlessChrome" not in run.browser.user_agent
    assert [s.status for s in run.sites] == ["ok"] * 5


def test_third_party_tracker_cookie_before_consent_is_recorded(run: RunResult) -> None:
    before = site(run, PISTEURS).phases["before"]
    ide = next(c for c in before.cookies if c.name == "IDE")
    assert ide.domain == ".doubleclick.net"
    assert ide.party == "third"
    assert ide.set_by == "header"
    assert ide.secure and ide.http_only and ide.same_site == "None"
    assert ide.lifetime_days is not None and ide.lifetime_days > 300
    assert any(h.name == "IDE" and h.stored for h in before.set_cookie_headers)
    assert before.consent is None  # no interaction before consent


def test_compliant_site_phases(run: RunResult) -> None:
    s = site(run, CONFORME)
    before, reject, accept = (s.phases[p] for p in ("before", "reject", "accept"))
    assert cookie_names(before, "third") == set()
    assert "PHPSESSID" in cookie_names(before)
    sess = next(c for c in before.cookies if c.name == "PHPSESSID")
    assert sess.set_by == "header" and sess.expires is None and sess.http_only
    pcid = next(c for c in before.cookies if c.name == "_pcid")
    assert pcid.set_by == "script" and pcid.party == "first"
    assert reject.consent is not None and reject.consent.clicked and reject.consent.label == "Tout refuser"
    assert cookie_names(reject, "third") == set()
    assert not {"_ga", "_fbp"} & cookie_names(reject)
    assert not {"www.facebook.com", "www.google-analytics.com"} & third_hosts(reject)
    assert accept.consent is not None and accept.consent.clicked and accept.consent.label == "Tout accepter"
    assert {"IDE", "fr"} <= cookie_names(accept, "third")
    assert {"_ga", "_fbp"} <= cookie_names(accept, "first")
    assert {"www.facebook.com", "www.google-analytics.com"} <= third_hosts(accept)
    assert before.banner is not None and before.banner.found
    roles = {c.role for c in before.banner.controls}
    assert {"accept", "reject", "settings"} <= roles
    assert before.screenshots and reject.screenshots and accept.screenshots


def test_trackers_still_loaded_after_reject(run: RunResult) -> None:
    reject = site(run, IGNORE).phases["reject"]
    assert reject.consent is not None and reject.consent.clicked
    hosts = third_hosts(reject)
    assert any(h.endswith("criteo.net") or h.endswith("criteo.com") for h in hosts), hosts
    assert any("twitter" in h for h in hosts), hosts


def test_no_banner_is_reported_not_treated_as_clean(run: RunResult) -> None:
    s = site(run, SANS)
    assert s.status == "ok"
    reject = s.phases["reject"]
    assert reject.status == "error"
    assert reject.consent is not None and not reject.consent.clicked
    assert "no reject control found" in (reject.error or "")
    assert "no consent banner detected" in (reject.error or "")
    assert "_ga" in cookie_names(s.phases["before"])


def test_co_uk_first_party_subdomain_cookie_and_alias(run: RunResult) -> None:
    s = site(run, UK)
    assert set(s.first_party) == {"example-news.co.uk", "example-news-static.com"}
    before = s.phases["before"]
    ukid = next(c for c in before.cookies if c.name == "ukid")
    assert ukid.domain == ".example-news.co.uk"
    assert ukid.party == "first" and ukid.registrable_domain == "example-news.co.uk"
    alias = [r for r in before.requests if r.host == "cdn.example-news-static.com"]
    assert alias and all(r.party == "first" for r in alias)
    assert s.phases["reject"].consent is not None and s.phases["reject"].consent.label == "Reject all"


def test_journal_and_screenshots_beside_results(run: RunResult, out_dir: Path) -> None:
    journaled = {s.url: s for s in iter_journal(out_dir / JOURNAL_FILE)}
    assert set(journaled) == {s.url for s in run.sites}
    assert journaled[run.sites[0].url] == run.sites[0]
    for s in run.sites:
        for phase in s.phases.values():
            for shot in phase.screenshots:
                assert not Path(shot.path).is_absolute()
                assert (out_dir / shot.path).stat().st_size > 1000


def test_blocking_third_party_cookies_keeps_the_attempt(audit_fixture_sites) -> None:  # type: ignore[no-untyped-def]
    blocked = audit_fixture_sites([PISTEURS], block_third_party_cookies=True, screenshots=False)
    before = blocked.sites[0].phases["before"]
    assert "IDE" not in cookie_names(before)
    attempt = next(h for h in before.set_cookie_headers if h.name == "IDE")
    assert attempt.stored is False and attempt.party == "third"
