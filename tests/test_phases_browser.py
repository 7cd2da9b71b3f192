"""The extra phases on the fixture web: ``ignore`` (silence is refusal) and ``gpc`` (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.model import PhaseResult, RunResult, SiteResult
from auditor.pipeline import build_pipeline
from auditor.verdict import gaps

pytestmark = pytest.mark.browser

SCROLL = "www.defilement-accord.fr"
CONFORME = "www.journal-conforme.fr"


@pytest.fixture(scope="module")
def run(audit_fixture_sites, tmp_path_factory: pytest.TempPathFactory) -> RunResult:  # type: ignore[no-untyped-def]
    out = Path(tmp_path_factory.mktemp("phases"))
    phases = ("before", "reject", "accept", "ignore", "gpc")
    return audit_fixture_sites([SCROLL, CONFORME], out=out, phases=phases)  # type: ignore[no-any-return]


def site(run: RunResult, host: str) -> SiteResult:
    return next(s for s in run.sites if host in s.url)


def trackers(phase: PhaseResult) -> set[str]:
    """The fixture web's tracker cookies in the phase (by name: they are known fixtures)."""
    return {c.name for c in phase.cookies} & {"IDE", "_fbp", "fr", "_ga"}


def test_every_requested_phase_is_recorded_in_order(run: RunResult) -> None:
    for s in run.sites:
        assert s.status == "ok", s.error
        assert tuple(s.phases) == ("before", "reject", "accept", "ignore", "gpc")
        assert s.phases_requested == ("before", "reject", "accept", "ignore", "gpc")
        assert all(p.status == "ok" for p in s.phases.values()), {n: p.error for n, p in s.phases.items()}


def test_ignore_phase_catches_scrolling_means_consent(run: RunResult) -> None:
    s = site(run, SCROLL)
    before, reject, ignore = (s.phases[p] for p in ("before", "reject", "ignore"))
    assert "IDE" not in trackers(before) and "IDE" not in trackers(reject)
    assert {"IDE", "_fbp", "fr"} <= trackers(ignore)
    assert ignore.consent is None  # nothing was clicked
    assert ignore.steps[0].startswith("scrolled down") and "wheel turn" in ignore.steps[0]
    assert ignore.steps[1] == "opened a second page: https://www.defilement-accord.fr/article"
    assert ignore.url == "https://www.defilement-accord.fr/article"
    judged = build_pipeline(None).postprocess(s)  # the default packs, as `consent-audit audit` runs them
    failing = {(f.rule, f.phase) for f in judged.findings if f.outcome == "fail"}
    assert ("baseline-third-party-tracker-cookie", "ignore") in failing
    assert ("baseline-third-party-tracker-cookie", "reject") not in failing


def test_ignore_phase_of_a_compliant_site_is_clean(run: RunResult) -> None:
    s = build_pipeline(None).postprocess(site(run, CONFORME))
    assert trackers(s.phases["ignore"]) == set()
    assert not [f for f in s.findings if f.phase == "ignore"]
    banner = s.phases["ignore"].banner
    assert banner is not None and banner.found  # silence leaves the banner up


def test_gpc_phase_reads_the_sites_answer(run: RunResult) -> None:
    gpc = site(run, SCROLL).phases["gpc"].gpc
    assert gpc is not None and gpc.sent
    assert gpc.usp_string == "1YYN"
    assert gpc.well_known_status == 200 and gpc.well_known == {"gpc": True, "lastUpdate": "2026-11-01"}
    other = site(run, CONFORME).phases["gpc"].gpc
    assert other is not None and other.sent and other.usp_string is None and other.well_known_status == 404
    sent = [r for r in site(run, SCROLL).phases["gpc"].requests if r.host == "www.defilement-accord.fr"]
    assert sent  # the page itself was requested in that context


def test_requested_phases_leave_no_gap_when_they_ran(run: RunResult) -> None:
    s = build_pipeline(None).postprocess(site(run, CONFORME))
    assert not [g for g in gaps(s) if g.phase in ("ignore", "gpc")]
