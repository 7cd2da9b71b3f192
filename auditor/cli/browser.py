"""``consent-audit browser``: which Chromium an audit would use, and why."""

from __future__ import annotations

from auditor.cli.app import BrowserOpt, app, fail
from auditor.config import find_browser
from auditor.yamlutil import ConfigError


@app.command("browser")
def browser_command(browser: BrowserOpt = None) -> None:
    """Show the Chromium executable an audit would launch (exit 2 when there is none).

    The order is --browser, $CONSENT_AUDIT_BROWSER, a system Chromium, Playwright's own;
    ``scripts/ensure-browser.sh`` (run by ``make setup``) asks this command before installing one.
    """
    try:
        choice = find_browser(browser)
    except ConfigError as exc:
        fail(str(exc))
    print(f"{choice.path or 'Playwright Chromium (playwright install chromium)'} (from {choice.origin})")
