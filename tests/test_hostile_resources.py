"""Hostile pages that exhaust a resource (issue 17): a WebSocket flood and a page eating memory until its renderer dies.

One run, one site at a time so the order is known: a healthy site, the flood, the memory hog, another
healthy site. Chromium runs with the renderer cap the soak uses (``--js-flags=--max-old-space-size=256``):
the memory hog's renderer then dies in about 4 s at ~380 MB instead of ~40 s at 4 GiB (measured, see
``fixtureweb_hostile.memory_hog``). The flood must cost a bounded number of request rows (one per socket, never one
per message) and the site's budget must not run out; the crash must be named; the sites audited before
and after must be complete, in the journal and in ``results.json``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import fixtureweb_hostile as hostile
import pytest

from auditor.fixtureweb import FixtureWeb
from auditor.model import RunResult, SiteResult
from auditor.results import JOURNAL_FILE, RESULTS_FILE, iter_journal, read_results
from auditor.run.site import SITE_TIMEOUT_REASON

pytestmark = pytest.mark.browser

FIRST, LAST = "www.journal-conforme.fr", "www.sans-banniere.fr"
RENDERER_CAP = "--js-flags=--max-old-space-size=256"
"""A renderer's V8 heap limit of 256 MiB: the memory hog dies fast, the other pages never come near it."""
BUDGET = 60.0
"""``--site-timeout`` of the run: what a hostile page may cost at most (the flood takes ~10 s here)."""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(tmp_path_factory.mktemp("hostile-resources"))


@pytest.fixture(scope="module")
def resource_run(fixture_web: FixtureWeb, audit_fixture_sites: object, run_dir: Path) -> RunResult:
    hosts = [FIRST, hostile.WEBSOCKET_FLOOD_HOST, hostile.MEMORY_HOST, LAST]
    return audit_fixture_sites(  # type: ignore[operator,no-any-return]
        hosts,
        out=run_dir,
        concurrency=1,
        timeout=8,
        site_timeout=BUDGET,
        retries=1,
        screenshots=False,
        extra_browser_args=(RENDERER_CAP,),
    )


def by_host(run: RunResult, host: str) -> SiteResult:
    return next(s for s in run.sites if host in s.url)


def test_the_websocket_flood_is_audited_within_its_budget(resource_run: RunResult) -> None:
    site = by_host(resource_run, hostile.WEBSOCKET_FLOOD_HOST)
    assert site.status == "ok", site.error
    assert not (site.error or "").startswith(SITE_TIMEOUT_REASON)
    assert {"before", "reject", "accept"} <= set(site.phases)
    assert site.phases["before"].banner is not None  # the page works despite the flood


def test_websocket_rows_are_one_per_socket_not_one_per_message(resource_run: RunResult) -> None:
    site = by_host(resource_run, hostile.WEBSOCKET_FLOOD_HOST)
    total = 0
    for name, phase in site.phases.items():
        sockets = [r for r in phase.requests if r.resource_type == "websocket"]
        assert all(r.url.startswith(f"wss://{hostile.WEBSOCKET_FLOOD_HOST}/flux?n=") for r in sockets), name
        per_socket = Counter(r.url for r in sockets)
        assert max(per_socket.values(), default=0) <= 2, name  # once per page view, two views at most a phase
        assert len(sockets) <= 2 * hostile.FLOOD_SOCKETS, name
        assert len(phase.requests) - len(sockets) < 50, name  # the messages did not become rows of another kind
        total += len(sockets)
    assert total > 0, "no WebSocket connection was recorded"
    assert total < hostile.FLOOD_MESSAGES  # a row per message would be thousands


def test_the_flood_really_connected(fixture_web: FixtureWeb, resource_run: RunResult) -> None:
    opened = [hit for hit in fixture_web.hits_for(hostile.WEBSOCKET_FLOOD_HOST) if hit.path == "/flux"]
    assert len(opened) >= hostile.FLOOD_SOCKETS  # the handshakes reached the server (each gets its 500 messages)


def test_the_memory_hog_ends_with_the_renderer_crash_named(resource_run: RunResult) -> None:
    site = by_host(resource_run, hostile.MEMORY_HOST)
    assert site.status == "error"
    assert site.error is not None and "the page's renderer process crashed" in site.error, site.error
    assert not site.error.startswith(SITE_TIMEOUT_REASON)  # it died, it was not waited on until the budget


@pytest.mark.parametrize("host", [FIRST, LAST])
def test_the_sites_before_and_after_are_complete(resource_run: RunResult, host: str) -> None:
    site = by_host(resource_run, host)
    assert site.status == "ok", site.error
    assert {"before", "reject", "accept"} <= set(site.phases)
    assert site.attempts == 1


def test_nothing_collected_is_lost(resource_run: RunResult, run_dir: Path) -> None:
    urls = [s.url for s in resource_run.sites]
    assert [s.url for s in iter_journal(run_dir / JOURNAL_FILE)] == urls  # one site at a time, in order
    saved = read_results(run_dir / RESULTS_FILE)
    assert [s.url for s in saved.sites] == urls
    first = by_host(saved, FIRST)
    assert first.phases["accept"].cookies  # the evidence of the site audited before the crash is all there
    assert first.phases == by_host(resource_run, FIRST).phases
