"""The plugin's fixtures that build on pytest-playwright (registered by the plugin only when it is installed).

Registered in ``pytest_configure``, after every entry-point plugin, so its ``browser_type_launch_args``
overrides and extends pytest-playwright's, as a ``conftest.py`` override would. It uses the plugin's fixtures
(``consent_settings``, ``consent_audit_options``) by name and imports nothing from :mod:`auditor.testing.plugin`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.browser.session import merge_feature_switches
from auditor.config import AuditOptions, find_browser
from auditor.testing.bridge import CDP_PORT_ARG, PageBridge, free_port, target_id
from auditor.testing.page import ConsentPage
from auditor.testing.settings import ConsentSettings, pipeline_for
from auditor.yamlutil import ConfigError


def launch_args(base: dict[str, Any], options: AuditOptions, cdp_port: int) -> dict[str, Any]:
    """pytest-playwright's launch arguments with the auditor's browser, host rules, switches and DevTools port."""
    out = dict(base)
    if "executable_path" not in out and "channel" not in out:
        try:
            out["executable_path"] = find_browser(options.browser).path
        except ConfigError as exc:
            raise pytest.UsageError(str(exc)) from None
    args = [*out.get("args", ())]
    if options.host_resolver_rules:
        args.append(f"--host-resolver-rules={options.host_resolver_rules}")
    args.extend(options.extra_browser_args)
    args.append(f"{CDP_PORT_ARG}={cdp_port}")
    out["args"] = merge_feature_switches(args)
    return out


@pytest.fixture(scope="session")
def consent_cdp_port() -> int:
    """The DevTools port of pytest-playwright's Chromium, for the plugin's second connection."""
    return free_port()


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], consent_audit_options: AuditOptions, consent_cdp_port: int
) -> dict[str, Any]:
    """pytest-playwright's launch arguments plus the auditor's browser, switches and DevTools port."""
    return launch_args(browser_type_launch_args, consent_audit_options, consent_cdp_port)


@pytest.fixture
def consent_page(
    page: Any,
    browser_name: str,
    browser_type_launch_args: dict[str, Any],
    consent_cdp_port: int,
    consent_settings: ConsentSettings,
    consent_audit_options: AuditOptions,
    tmp_path: Path,
) -> Iterator[ConsentPage]:
    """Consent checks on the test's ``page``: ``reject()``/``accept()``, ``snapshot()``, ``assert_no_tracker()``."""
    if browser_name != "chromium":
        pytest.skip(f"consent checks drive Chromium only, not {browser_name}")
    if f"{CDP_PORT_ARG}={consent_cdp_port}" not in browser_type_launch_args.get("args", ()):
        pytest.fail(
            "consent_page: the browser was launched without the plugin's launch arguments; a conftest.py "
            "override of browser_type_launch_args must extend the one it replaces: "
            "def browser_type_launch_args(browser_type_launch_args): return {**browser_type_launch_args, ...}",
            pytrace=False,
        )
    pipeline = pipeline_for(consent_settings)
    bridge = PageBridge(f"http://127.0.0.1:{consent_cdp_port}", target_id(page)).start()
    checks = ConsentPage(page, bridge, pipeline, consent_settings, consent_audit_options, tmp_path)
    try:
        yield checks
    finally:
        checks.close()
