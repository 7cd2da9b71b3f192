"""The pytest plugin (auditor.testing): marker and options, and a real suite run with pytester.

The browser tests run the plugin the way a publisher would: a pytest-playwright suite in a pytester
*subprocess* (pytest-playwright's sync event loop must not enter this session, whose tests call
``asyncio.run``), against the fixture web of this session, with the plugin loaded from its entry point.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util

import pytest
import support

from auditor.config import AuditOptions, ControlSpec
from auditor.fixtureweb import FixtureWeb
from auditor.model import Finding, Subject
from auditor.testing import ConsentSettings, describe_finding, phase_failures
from auditor.testing.playwright_fixtures import launch_args

pytest_plugins = ["pytester"]


def test_marker_overrides_settings_closest_last() -> None:
    base = ConsentSettings()
    assert base.rules == ("baseline",)
    merged = base.with_marker({"rules": "cnil"}).with_marker(
        {"reject_label": "Continuer sans accepter", "first_party": ["cdn.example.net"], "fail_on": "warning"}
    )
    assert merged.rules == ("cnil",)
    assert merged.reject == ControlSpec(label="Continuer sans accepter")
    site = merged.site("https://www.example.fr/")
    assert site.reject == ControlSpec(label="Continuer sans accepter")
    assert site.first_party == ("cdn.example.net",)
    assert merged.fail_on == "warning"


@pytest.mark.parametrize("kwargs", [{"rule": ["cnil"]}, {"rules": [1]}, {"fail_on": "fatal"}])
def test_marker_rejects_bad_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(TypeError, match=r"@pytest\.mark\.consent"):
        ConsentSettings().with_marker(kwargs)


def test_failure_line_names_rule_phase_and_subject() -> None:
    finding = Finding(
        rule="baseline-tracker-cookie",
        severity="error",
        phase="reject",
        subject=Subject(kind="cookie", name="IDE", domain=".doubleclick.net"),
        message="tracker cookie after refusal",
        pack="baseline",
    )
    line = describe_finding(finding)
    assert line.startswith("[baseline/baseline-tracker-cookie] (error) phase reject: cookie IDE on .doubleclick.net")
    warning = Finding(
        rule="w", severity="warning", phase="before", subject=Subject(kind="site"), message="m", outcome="fail"
    )
    assert phase_failures([finding, warning], phases=["reject"]) == [finding]
    assert phase_failures([finding, warning], phases=["before"]) == []
    assert phase_failures([finding, warning], fail_on="warning") == [finding, warning]


def test_launch_args_add_browser_host_rules_switches_and_devtools_port(tmp_path: pytest.TempPathFactory) -> None:
    options = AuditOptions(
        browser="/usr/bin/chromium" if importlib.util.find_spec("playwright") else None,
        host_resolver_rules="MAP www.example.fr 127.0.0.1:8443",
        extra_browser_args=("--disable-features=Foo",),
    )
    try:
        out = launch_args({"args": ["--mute-audio"], "headless": True}, options, 9333)
    except pytest.UsageError as exc:
        support.unavailable(f"no Chromium: {exc}")
    assert out["headless"] is True
    assert out["executable_path"]
    args = out["args"]
    assert "--mute-audio" in args
    assert "--host-resolver-rules=MAP www.example.fr 127.0.0.1:8443" in args
    assert "--remote-debugging-port=9333" in args
    disabled = [a for a in args if a.startswith("--disable-features=")]
    assert len(disabled) == 1 and "Foo" in disabled[0] and "PaintHolding" in disabled[0]
    channel = launch_args({"channel": "chrome"}, options, 9333)
    assert "executable_path" not in channel


INNER_TESTS = """
import pytest
from auditor.testing import ConsentAssertionError


def test_tracker_before_consent_is_named(page, consent_page):
    page.goto("https://www.gazette-pisteurs.fr/")
    with pytest.raises(ConsentAssertionError) as caught:
        consent_page.assert_no_tracker()
    text = str(caught.value)
    assert "phase before" in text and "ad.doubleclick.net" in text and "[baseline/" in text
    assert {f.phase for f in caught.value.findings} == {"before"}


@pytest.mark.consent(rules=["baseline", "cnil"])
def test_refusal_on_a_compliant_site_passes(page, consent_page):
    page.goto("https://www.journal-conforme.fr/")
    action = consent_page.reject()
    assert action.clicked and action.action == "reject"
    page.goto("https://www.journal-conforme.fr/")  # the publisher's own flow goes on after the choice
    site = consent_page.assert_no_tracker()
    assert set(site.phases) == {"before", "reject"}
    assert site.phases["before"].banner is not None and site.phases["before"].banner.found


def test_tracker_after_refusal_names_cookie_or_host_rule_and_phase(page, consent_page):
    page.goto("https://www.quotidien-ignore.fr/")
    consent_page.snapshot()
    assert consent_page.reject().clicked
    with pytest.raises(ConsentAssertionError) as caught:
        consent_page.assert_no_tracker()
    text = str(caught.value)
    assert "phase reject" in text and "criteo" in text
    assert all(f.phase == "reject" for f in caught.value.findings)


def test_a_refusal_that_cannot_be_made_cannot_pass(page, consent_page):
    page.goto("https://www.sans-banniere.fr/")
    action = consent_page.reject()
    assert not action.clicked
    with pytest.raises(ConsentAssertionError, match="phase reject could not be checked") as caught:
        consent_page.assert_no_tracker()
    assert any(f.outcome == "error" and f.phase == "reject" for f in caught.value.findings)


def test_accept_snapshot_labels_requests_with_the_phase(page, consent_page):
    page.goto("https://www.journal-conforme.fr/")
    assert consent_page.accept().clicked
    phase = consent_page.snapshot()
    assert phase.name == "accept"
    assert any(r.host == "www.google-analytics.com" for r in phase.requests)
    assert not any(r.host == "www.google-analytics.com" for r in consent_page.phases["before"].requests)


@pytest.mark.consent(rules="cnil")
def test_full_audit_after_sync_playwright_tests(consent_audit):
    # pytest-playwright's sync loop has been running in this process since the first test: the audit's
    # own loop runs in a worker thread.
    clean = consent_audit("https://www.journal-conforme.fr/")
    assert clean.status == "ok" and set(clean.phases) == {"before", "reject", "accept"}
    assert not [f for f in clean.findings if f.severity == "error"]
    dirty = consent_audit("https://www.gazette-pisteurs.fr/", rules=["baseline"])
    assert any(f.phase == "before" and f.subject.name == "IDE" for f in dirty.findings)
"""


def _plugin_loads_from_entry_point() -> bool:
    eps = importlib.metadata.entry_points(group="pytest11")
    return any(ep.value == "auditor.testing.plugin" for ep in eps)


@pytest.mark.browser
@pytest.mark.slow
def test_publisher_suite_with_pytest_playwright(pytester: pytest.Pytester, fixture_web: FixtureWeb) -> None:
    if importlib.util.find_spec("pytest_playwright") is None:
        support.unavailable("pytest-playwright is not installed (pip install -e '.[dev]')")
    if not _plugin_loads_from_entry_point():
        support.unavailable("the consent_audit pytest11 entry point is not installed (pip install -e '.[dev]')")
    # The staging feature: production host names resolved to the fixture web's servers.
    others = " ".join(f'"{a}"' for a in fixture_web.chromium_args if not a.startswith("--host-resolver-rules="))
    pytester.makeini(
        "[pytest]\n"
        f"consent_host_resolver_rules = {fixture_web.host_resolver_rules}\n"
        f"consent_browser_args = {others}\n"
        "addopts = -p no:cacheprovider\n"
    )
    pytester.makepyfile(test_publisher=INNER_TESTS)
    result = pytester.runpytest_subprocess("-v", "-p", "no:randomly", timeout=600)
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(["*test_full_audit_after_sync_playwright_tests PASSED*"])


@pytest.mark.browser
def test_an_override_that_drops_the_plugin_launch_arguments_is_named(pytester: pytest.Pytester) -> None:
    if importlib.util.find_spec("pytest_playwright") is None:
        support.unavailable("pytest-playwright is not installed (pip install -e '.[dev]')")
    if not _plugin_loads_from_entry_point():
        support.unavailable("the consent_audit pytest11 entry point is not installed (pip install -e '.[dev]')")
    pytester.makeconftest(
        """
import pytest
from auditor.config import find_browser

@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": find_browser().path}
"""
    )
    pytester.makepyfile(test_override="def test_it(page, consent_page):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=300)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*must extend the one it replaces*"])
