"""Bad input and faults, end to end through the command line (issue 2, "Bad input and faults").

One audit run covers every network and page fault of the fixture web beside a healthy site: each
failure is recorded in the results (site ``status: error`` with a reason, or a phase-level reason),
the other sites go on, the exit code is 3, and the journal keeps every finished site. Configuration
errors exit 2 before any browser starts — proven with a ``--browser`` that would leave a mark.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import require_module

from auditor.fixtureweb import DNS_FAILURE_HOST, REFUSED_HOST, TLS_ERROR_HOST, FixtureWeb
from auditor.model import RunResult, SiteResult
from auditor.results import JOURNAL_FILE, RESULTS_FILE, iter_journal, read_results

HEALTHY = "www.journal-conforme.fr"
SERVER_ERROR = "www.erreur-serveur.fr"
NOT_FOUND = "www.page-absente.fr"
ENDLESS = "www.chargement-infini.fr"
NO_BANNER = "www.sans-banniere.fr"
BLOCKED_BUTTON = "www.bouton-bloque.fr"
RATE_LIMITED = "www.acces-limite.fr"
FIRST_RUN = [
    HEALTHY,
    REFUSED_HOST,
    DNS_FAILURE_HOST,
    TLS_ERROR_HOST,
    SERVER_ERROR,
    ENDLESS,
    NO_BANNER,
    BLOCKED_BUTTON,
    RATE_LIMITED,
]
REPEATED = "HTTPS://WWW.DNS-INTROUVABLE.FR"
"""A URL of FIRST_RUN given again (other case, no trailing slash): audited once, with a warning."""
LOAD_TIMEOUT = "4"
"""Seconds allowed for a page load: the endless page waits this long for its 'load' event, per view."""


@dataclass
class Outcome:
    code: int
    stderr: str


def consent_audit(args: Sequence[str], env: dict[str, str] | None = None) -> Outcome:
    """Run ``python -m auditor`` and return its exit code and stderr."""
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )
    return Outcome(proc.returncode, proc.stderr)


def browser_args(web: FixtureWeb) -> list[str]:
    return [f"--browser-arg={arg}" for arg in web.chromium_args]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(tmp_path_factory.mktemp("faults"))


@pytest.fixture(scope="module")
def first_run(fixture_web: FixtureWeb, out: Path) -> Outcome:
    """Every fault and a healthy site in one audit run."""
    urls = [fixture_web.url(h) for h in FIRST_RUN] + [REPEATED]
    return consent_audit(["audit", *urls, "--out", str(out), "--timeout", LOAD_TIMEOUT, *browser_args(fixture_web)])


@pytest.fixture(scope="module")
def results(first_run: Outcome, out: Path) -> RunResult:
    return read_results(out / RESULTS_FILE)


def site(run: RunResult, host: str) -> SiteResult:
    return next(s for s in run.sites if f"//{host}/" in s.url)


pytestmark = pytest.mark.browser


def test_a_site_that_could_not_be_audited_gives_exit_code_3(first_run: Outcome) -> None:
    assert first_run.code == 3, first_run.stderr


def test_the_healthy_site_is_audited_despite_the_faults(results: RunResult) -> None:
    healthy = site(results, HEALTHY)
    assert healthy.status == "ok"
    assert set(healthy.phases) == {"before", "reject", "accept"}
    assert all(p.status == "ok" for p in healthy.phases.values())


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        (REFUSED_HOST, "connection refused"),
        (DNS_FAILURE_HOST, "DNS lookup failed"),
        (TLS_ERROR_HOST, "TLS certificate error"),
        (SERVER_ERROR, "HTTP 500"),
    ],
)
def test_unloadable_sites_are_errors_with_a_reason(results: RunResult, host: str, reason: str) -> None:
    failed = site(results, host)
    assert failed.status == "error"
    assert failed.error is not None and reason in failed.error
    assert failed.phases["before"].status == "error"  # what was seen until the failure is kept


def test_a_page_that_never_finishes_loading_is_audited_with_a_warning(results: RunResult) -> None:
    endless = site(results, ENDLESS)
    assert endless.status == "ok"
    before = endless.phases["before"]
    assert any("load event did not fire" in w for w in before.warnings)
    assert before.requests  # the evidence is collected anyway
    assert endless.phases["accept"].consent is not None and endless.phases["accept"].consent.clicked


def test_a_missing_banner_is_a_phase_level_reason(results: RunResult) -> None:
    no_banner = site(results, NO_BANNER)
    assert no_banner.status == "ok"  # the site loaded: its evidence is valid
    for name in ("reject", "accept"):
        phase = no_banner.phases[name]
        assert phase.status == "error"
        assert phase.consent is not None and not phase.consent.clicked
        assert phase.error and phase.consent.reason
    assert no_banner.phases["before"].cookies or no_banner.phases["before"].requests


def test_a_control_that_will_not_click_is_a_phase_level_reason(results: RunResult) -> None:
    blocked = site(results, BLOCKED_BUTTON)
    reject, accept = blocked.phases["reject"], blocked.phases["accept"]
    assert reject.status == "error"
    assert reject.consent is not None and not reject.consent.clicked
    assert reject.error
    assert accept.status == "ok" and accept.consent is not None and accept.consent.clicked


def test_an_accept_context_failure_is_recorded_and_the_rest_kept(results: RunResult) -> None:
    limited = site(results, RATE_LIMITED)
    assert limited.status == "error"
    assert limited.error is not None and "accept context failed" in limited.error and "HTTP 429" in limited.error
    accept = limited.phases["accept"]
    assert accept.status == "error" and accept.error is not None and "HTTP 429" in accept.error
    assert accept.http_status == 429
    before, reject = limited.phases["before"], limited.phases["reject"]
    assert before.status == "ok" and before.requests
    assert reject.consent is not None and reject.consent.clicked and reject.consent.label == "Tout refuser"
    consent = [c for c in reject.cookies if c.name == "consent"]
    assert consent and consent[0].shape is not None and consent[0].shape.length == len("rejected")  # redacted


def test_a_url_given_twice_is_audited_once_with_a_warning(first_run: Outcome, results: RunResult) -> None:
    assert f"warning: {REPEATED}/ is given 2 times" not in first_run.stderr  # the first spelling is kept
    assert f"{'https://www.dns-introuvable.fr/'} is given 2 times" in first_run.stderr, first_run.stderr
    assert sum(1 for s in results.sites if DNS_FAILURE_HOST in s.url.lower()) == 1


def test_every_site_is_journaled_and_in_the_results(results: RunResult, out: Path, fixture_web: FixtureWeb) -> None:
    journal = list(iter_journal(out / JOURNAL_FILE))
    expected = [fixture_web.url(h) for h in FIRST_RUN]
    assert sorted(s.url for s in journal) == sorted(expected)
    assert [s.url for s in results.sites] == expected  # input order
    assert all(s.attempts >= 1 for s in results.sites)


def test_resume_audits_only_what_is_missing(first_run: Outcome, fixture_web: FixtureWeb, out: Path) -> None:
    before = (out / JOURNAL_FILE).read_text(encoding="utf-8").count("\n")
    urls = [fixture_web.url(h) for h in [*FIRST_RUN, NOT_FOUND]]
    second = consent_audit(
        ["audit", *urls, "--out", str(out), "--resume", "--timeout", LOAD_TIMEOUT, *browser_args(fixture_web)]
    )
    assert second.code == 3, second.stderr
    assert f"resuming: {len(FIRST_RUN)} of {len(urls)}" in second.stderr
    lines = (out / JOURNAL_FILE).read_text(encoding="utf-8").splitlines()
    assert len(lines) == before + 1
    assert json.loads(lines[-1])["url"] == fixture_web.url(NOT_FOUND)
    run = read_results(out / RESULTS_FILE)
    assert [s.url for s in run.sites] == urls
    assert "HTTP 404" in (site(run, NOT_FOUND).error or "")


# --- configuration errors: exit 2 before any browser starts ------------------------------------------


@pytest.fixture()
def marking_browser(tmp_path: Path) -> tuple[Path, Path]:
    """A fake 'browser' that leaves a mark when anything starts it."""
    mark = tmp_path / "browser-started"
    exe = tmp_path / "fake-chromium"
    exe.write_text(f"#!/bin/sh\ntouch {mark}\nexit 1\n", encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return exe, mark


def test_malformed_sites_yaml_exits_2_with_file_and_line_before_any_browser(
    tmp_path: Path, marking_browser: tuple[Path, Path]
) -> None:
    exe, mark = marking_browser
    sites = tmp_path / "sites.yaml"
    sites.write_text("sites:\n  - url: https://www.exemple.fr/\n    colour: blue\n", encoding="utf-8")
    result = consent_audit(["audit", "--sites", str(sites), "--out", str(tmp_path / "out"), "--browser", str(exe)])
    assert result.code == 2, result.stderr
    assert "sites.yaml" in result.stderr and "3" in result.stderr  # file and line of the bad key
    assert not mark.exists()
    assert not (tmp_path / "out" / RESULTS_FILE).exists()


def test_invalid_url_in_sites_yaml_exits_2_naming_the_line(tmp_path: Path, marking_browser: tuple[Path, Path]) -> None:
    exe, mark = marking_browser
    sites = tmp_path / "sites.yaml"
    sites.write_text("sites:\n  - https://www.exemple.fr/\n  - ftp://www.exemple.fr/\n", encoding="utf-8")
    result = consent_audit(["audit", "--sites", str(sites), "--out", str(tmp_path / "out"), "--browser", str(exe)])
    assert result.code == 2, result.stderr
    assert "invalid URL" in result.stderr and ":3" in result.stderr
    assert not mark.exists()


def test_invalid_url_argument_exits_2_before_any_browser(tmp_path: Path, marking_browser: tuple[Path, Path]) -> None:
    exe, mark = marking_browser
    result = consent_audit(["audit", "not a url", "--out", str(tmp_path / "out"), "--browser", str(exe)])
    assert result.code == 2, result.stderr
    assert "invalid URL" in result.stderr
    assert not mark.exists()


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        (
            {"pack.yaml": "pack: {id: p, title: P}\nrules:\n  - id: r\n    colour: red\n"},
            ["--rules", "@pack.yaml"],
            "pack.yaml:4",
        ),
        ({}, ["--rules", "no-such-pack"], "no-such-pack"),
        ({"kb.yaml": "trackers:\n  - {domains: [x.fr], categry: ads}\n"}, ["--knowledge", "@kb.yaml"], "kb.yaml:2"),
        ({}, ["--format", "pdf"], "unknown format 'pdf'"),
        ({}, ["--fail-on", "sometimes"], "--fail-on"),
    ],
)
def test_bad_rules_knowledge_or_format_exit_2_before_any_browser(
    tmp_path: Path, marking_browser: tuple[Path, Path], files: dict[str, str], args: list[str], message: str
) -> None:
    exe, mark = marking_browser
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    args = [str(tmp_path / a[1:]) if a.startswith("@") else a for a in args]
    result = consent_audit(
        ["audit", "https://www.exemple.fr/", "--out", str(tmp_path / "out"), "--browser", str(exe), *args]
    )
    assert result.code == 2, result.stderr
    assert message in result.stderr
    assert not mark.exists()
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--memory-budget", "lots"], "--memory-budget"),
        (["--executor", "spark"], "--executor"),
        (["--executor", "dask"], "--scheduler"),
        (["--restart-after", "-1"], "--restart-after"),
        (["--concurrency", "0"], "--concurrency"),
    ],
)
def test_bad_scale_options_exit_2_before_any_browser(
    tmp_path: Path, marking_browser: tuple[Path, Path], args: list[str], message: str
) -> None:
    exe, mark = marking_browser
    result = consent_audit(["audit", "https://www.exemple.fr/", "--out", str(tmp_path), "--browser", str(exe), *args])
    assert result.code == 2, result.stderr
    assert message in result.stderr
    assert not mark.exists()


def test_a_browser_that_will_not_launch_exits_2_and_keeps_the_previous_run(
    tmp_path: Path, marking_browser: tuple[Path, Path]
) -> None:
    exe, mark = marking_browser
    out = tmp_path / "out"
    out.mkdir()
    (out / JOURNAL_FILE).write_text('{"url": "https://www.avant.fr/", "status": "ok"}\n', encoding="utf-8")
    result = consent_audit(["audit", "https://www.exemple.fr/", "--out", str(out), "--browser", str(exe)])
    assert result.code == 2, result.stderr
    assert "the browser could not be started" in result.stderr
    assert mark.exists()  # it was tried...
    assert "www.avant.fr" in (out / JOURNAL_FILE).read_text(encoding="utf-8")  # ...and nothing was lost
    assert not (out / RESULTS_FILE).exists()


def test_unreachable_dask_scheduler_exits_2(tmp_path: Path, marking_browser: tuple[Path, Path]) -> None:
    require_module("distributed")
    exe, mark = marking_browser
    dask_args = ["--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"]
    result = consent_audit(
        ["audit", "https://www.exemple.fr/", "--out", str(tmp_path), "--browser", str(exe), *dask_args],
        env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"},
    )
    assert result.code == 2, result.stderr
    assert "cannot reach the Dask scheduler" in result.stderr
    assert not mark.exists()
