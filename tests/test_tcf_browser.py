"""The TCF state is read when the CMP has settled (``addEventListener``), on the IAB's own libraries.

A copy of the fixture CMP ``www.tcf-presse.fr`` (``@iabtechlabtcf`` stub, cmpapi and core from npm) that
publishes a stored choice only seconds after the page loaded, as a slow CMP does: a one-shot
``getTCData`` with a short timeout finds no state at all; waiting for ``tcloaded`` finds the
post-choice one. Skipped, with the reason, when ``npm ci`` was not run in ``tests/fixtures/cmp``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cmp_web import audit_sites, build_sites_dir, missing_node_modules, site_of

from auditor.fixtureweb import FixtureWeb
from auditor.model import RunResult

pytestmark = pytest.mark.browser

SLOW = "www.tcf-lente.fr"
DELAY_MS = 6000
"""How long the slow CMP waits before publishing a stored choice."""


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunResult]:
    reason = missing_node_modules()
    if reason:
        pytest.skip(reason)
    root = Path(tmp_path_factory.mktemp("tcf-slow"))
    sites = build_sites_dir(root / "sites", npm=True)
    original = sites / "www.tcf-presse.fr"
    slow = sites / SLOW
    slow.mkdir()
    for item in original.iterdir():  # new files: the originals are hard links into the repository
        if item.is_file():
            (slow / item.name).write_bytes(item.read_bytes())
    (slow / "assets").mkdir()
    for item in (original / "assets").iterdir():
        (slow / "assets" / item.name).write_bytes(item.read_bytes())
    cmp = slow / "cmp-maison.js"
    text = cmp.read_text(encoding="utf-8")
    stored = "if (stored) {\n  cmpApi.update(stored, false);\n}"
    assert stored in text
    cmp.write_text(
        text.replace(stored, f"if (stored) {{\n  setTimeout(() => cmpApi.update(stored, false), {DELAY_MS});\n}}"),
        encoding="utf-8",
    )
    with FixtureWeb(sites_dir=sites) as web:
        yield audit_sites(web, [SLOW], root / "out", screenshots=False, tcf_timeout=DELAY_MS / 1000 + 6)


def test_the_post_choice_state_of_a_slow_cmp_is_read(result: RunResult) -> None:
    site = site_of(result, SLOW)
    assert site.status == "ok", site.error
    for role, purposes in (("reject", ()), ("accept", tuple(range(1, 12)))):
        phase = site.phases[role]
        assert phase.consent is not None and phase.consent.clicked
        api = [s for s in phase.tcf if s.source == "api"]
        assert len(api) == 1, phase.tcf
        assert api[0].event_status == "tcloaded" and api[0].valid
        assert api[0].purpose_consents == purposes
        cookie = next(s for s in phase.tcf if s.source == "cookie")
        assert api[0].tc_string == cookie.tc_string


def test_before_any_choice_the_shown_ui_is_the_state_read(result: RunResult) -> None:
    before = site_of(result, SLOW).phases["before"]
    api = [s for s in before.tcf if s.source == "api"]
    assert len(api) == 1 and api[0].event_status == "cmpuishown" and api[0].purpose_consents == ()
