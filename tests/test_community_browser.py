"""End to end: the fixture web audited through the CLI with a data cache holding a filter list for its hosts."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_datacache import serve
from test_faults import browser_args, consent_audit

from auditor.fixtureweb import FixtureWeb
from auditor.knowledge.datacache import DataSource, update
from auditor.results import RESULTS_FILE, read_results

pytestmark = pytest.mark.browser

LISTS = Path(__file__).parent / "data" / "filterlists"
UNKNOWN_AD = "www.regie-inconnue.fr"


def test_audit_classifies_with_the_cached_list_and_records_it(fixture_web: FixtureWeb, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with serve(LISTS) as url:
        _, errors = update([DataSource("fixture", f"{url}/fixture-web.txt", licence="test")], cache)
    assert errors == ()
    out = tmp_path / "out"
    outcome = consent_audit(
        ["audit", fixture_web.url(UNKNOWN_AD), "--out", str(out), "--no-screenshots", *browser_args(fixture_web)],
        env={"CONSENT_AUDIT_DATA": str(cache)},
    )
    assert outcome.code == 1, outcome.stderr
    run = read_results(out / RESULTS_FILE)
    assert {d.name for d in run.data} == {"open-cookie-database", "fixture"}
    (site,) = run.sites
    pixels = [r for r in site.phases["before"].requests if r.host == "px.adnexo-regie.net"]
    assert pixels, [r.host for r in site.phases["before"].requests]
    for pixel in pixels:
        assert pixel.classification is not None
        assert pixel.classification.layer == "community"
        assert pixel.classification.matched == "fixture filter ||px.adnexo-regie.net^$third-party"
    # The list knows the pixel and the sync endpoint: the default rules now report them as tracker requests
    # (without it, only the behaviour layer's warnings saw them).
    tracked = {(f.phase, f.subject.domain) for f in site.findings if f.rule == "baseline-tracker-request"}
    assert {("before", "px.adnexo-regie.net"), ("before", "match.dsp-partenaire.io")} <= tracked
    assert {("reject", "px.adnexo-regie.net"), ("reject", "match.dsp-partenaire.io")} <= tracked
