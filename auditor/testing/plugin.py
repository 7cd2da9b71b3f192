"""The pytest plugin (entry point ``pytest11: consent_audit``): consent checks in a publisher's own suite.

Fixtures:

* ``consent_audit`` — ``consent_audit(url) -> SiteResult``: the full three-phase audit of
  ``consent-audit audit`` (own browser, own event loop in a worker thread), rules from the marker;
* ``consent_page`` — a :class:`~auditor.testing.ConsentPage` on pytest-playwright's ``page``: reject or
  accept in the test's own flow, snapshots and assertions (needs ``consent-auditor[pytest]``);
* ``consent_settings`` and ``consent_audit_options`` — what the two above use.

The ``consent`` marker sets rule packs and control hints per test or class
(``@pytest.mark.consent(rules=["cnil"], reject_label="Continuer sans accepter")``). Options and ini
values: ``--consent-rules`` / ``consent_rules``, ``--consent-browser`` / ``consent_browser``,
``--consent-browser-arg`` / ``consent_browser_args``, ``--consent-host-resolver-rules`` /
``consent_host_resolver_rules`` (staging under production host names; also given to
pytest-playwright's browser), ``consent_ignore_https_errors``.

The fixtures built on pytest-playwright (``consent_page`` and the launch arguments) are in
:mod:`auditor.testing.playwright_fixtures`, registered from :func:`pytest_configure` when pytest-playwright is
installed; that module imports nothing from this one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auditor.config import AuditOptions, check_url
from auditor.model import SiteResult
from auditor.testing.audit import audit_sites
from auditor.testing.settings import ConsentSettings, pipeline_for
from auditor.yamlutil import ConfigError

MARKER = (
    "consent(rules=[...], reject_label=..., reject_selector=..., accept_label=..., accept_selector=..., "
    "settings_label=..., settings_selector=..., first_party=[...], fail_on='error'): rule packs and consent "
    "controls for the consent_audit and consent_page fixtures"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``--consent-*`` options and their ini values."""
    group = parser.getgroup("consent-audit", "consent checks (consent-auditor)")
    group.addoption("--consent-rules", action="append", default=None, metavar="PACK", help="Rule pack (repeatable).")
    group.addoption("--consent-browser", default=None, metavar="PATH", help="Chromium executable for consent checks.")
    group.addoption(
        "--consent-browser-arg",
        action="append",
        default=None,
        metavar="ARG",
        help="Extra Chromium switch (repeatable).",
    )
    group.addoption(
        "--consent-host-resolver-rules",
        default=None,
        metavar="RULES",
        help="Chromium --host-resolver-rules, e.g. 'MAP www.example.fr staging.internal' (audit staging).",
    )
    parser.addini("consent_rules", "Rule packs (one a line); default: baseline.", type="linelist", default=[])
    parser.addini("consent_browser", "Chromium executable for consent checks.", default="")
    parser.addini("consent_browser_args", "Extra Chromium switches.", type="args", default=[])
    parser.addini("consent_host_resolver_rules", "Chromium --host-resolver-rules.", default="")
    parser.addini("consent_ignore_https_errors", "Accept invalid TLS certificates.", type="bool", default=False)


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker; extend pytest-playwright's browser launch when it is installed."""
    config.addinivalue_line("markers", MARKER)
    if config.pluginmanager.hasplugin("playwright"):
        from auditor.testing import playwright_fixtures

        # Registered now, after every entry-point plugin: its browser_type_launch_args overrides (and
        # extends) pytest-playwright's, as a conftest.py override would.
        config.pluginmanager.register(playwright_fixtures, "consent-audit-playwright")


def options_from_config(config: pytest.Config) -> AuditOptions:
    """The audit options of the session, from the command line first, then the ini file."""
    browser = config.getoption("--consent-browser") or config.getini("consent_browser") or None
    rules = config.getoption("--consent-host-resolver-rules") or config.getini("consent_host_resolver_rules") or None
    args = [*config.getini("consent_browser_args"), *(config.getoption("--consent-browser-arg") or [])]
    return AuditOptions(
        browser=browser,
        host_resolver_rules=rules,
        ignore_https_errors=bool(config.getini("consent_ignore_https_errors")),
        extra_browser_args=tuple(args),
    )


@pytest.fixture(scope="session")
def consent_audit_options(pytestconfig: pytest.Config) -> AuditOptions:
    """Audit options from the ``--consent-*`` options and ini values (override it in a conftest.py to change more)."""
    return options_from_config(pytestconfig)


@pytest.fixture
def consent_settings(request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> ConsentSettings:
    """Rule packs and control hints of this test: options and ini, then the ``consent`` markers (closest wins)."""
    rules = pytestconfig.getoption("--consent-rules") or pytestconfig.getini("consent_rules")
    settings = ConsentSettings(rules=tuple(rules)) if rules else ConsentSettings()
    for marker in reversed(list(request.node.iter_markers("consent"))):
        try:
            settings = settings.with_marker(marker.kwargs)
        except TypeError as exc:
            pytest.fail(str(exc), pytrace=False)
    return settings


@pytest.fixture
def consent_audit(
    consent_settings: ConsentSettings, consent_audit_options: AuditOptions, tmp_path: Path
) -> Callable[..., SiteResult]:
    """``consent_audit(url, **marker_arguments) -> SiteResult``: audit ``url`` as ``consent-audit audit`` does.

    Three phases in a browser of its own, classified and evaluated on the test's rule packs;
    ``results.json`` and screenshots go to ``tmp_path / "consent-audit"``. Keyword arguments override
    the marker's for this call.
    """

    def audit(url: str, **overrides: Any) -> SiteResult:
        settings = consent_settings.with_marker(overrides) if overrides else consent_settings
        try:
            site = settings.site(check_url(url))
        except ConfigError as exc:
            pytest.fail(str(exc), pytrace=False)
        pipeline_for(settings, (site,))  # validate the packs here, with a test failure as the message
        run = audit_sites([site], consent_audit_options, tmp_path / "consent-audit", rules=settings.rules)
        return run.sites[0]

    return audit
