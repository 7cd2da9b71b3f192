"""One Chromium for a whole run, and fresh browser contexts from it.

Debian's Chromium (and Chrome's third-party-cookie phase-out) blocks third-party cookies by default,
also in the incognito contexts Playwright creates, so an auditor launched the plain way silently
misses every third-party tracker cookie. We therefore launch a *persistent* context on a throw-away
profile seeded with ``profile.cookie_controls_mode`` (0 = allow, 1 = block third-party cookies) and
create every audit context from that browser: new contexts follow the profile's preference.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

from playwright.async_api import Browser, BrowserContext, Playwright, async_playwright

from auditor.config import AuditOptions, SiteConfig, find_browser, sandbox_wanted
from auditor.model import BrowserInfo

STEALTH_ARGS = ("--disable-blink-features=AutomationControlled",)
"""Consent managers hide from automation (``navigator.webdriver``); a real user's browser does not say so."""

PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
    "msForceBrowserSignIn",
    "msEdgeUpdateLaunchServicesPreferredVersion",
)
"""Features Playwright disables by default. Chromium keeps only the *last* ``--disable-features``
switch, so passing our own would silently re-enable these: :func:`merge_feature_switches` merges them.
(``tests/test_runner_browser.py`` checks this list against the Playwright in use.)"""
PLAYWRIGHT_ENABLED_FEATURES = ("CDPScreenshotNewSurface", "SkipListAccountsWithoutGaiaCookies")
"""Features Playwright enables by default (same last-switch-wins caveat)."""
LEAN_DISABLED_FEATURES = (
    "SpareRendererForSitePerProcess",
    "WebUIOmniboxPopup",
    "WebUIOmniboxAimPopup",
    "WebUIOmniboxFullPopup",
)
"""Renderer processes an audit never uses: a warm spare renderer, and the omnibox-popup WebUI that headless
Chromium preloads in a renderer of its own for *every* browser context (measured: 2 renderers per context
instead of 1, +60 % RSS and CPU per context)."""


def merge_feature_switches(args: list[str]) -> list[str]:
    """Fold every ``--disable-features`` / ``--enable-features`` of ``args`` (and Playwright's own) into one each.

    Chromium honours only the last occurrence of a switch, so the merged switches go last.
    """
    merged: dict[str, list[str]] = {
        "--disable-features": [*PLAYWRIGHT_DISABLED_FEATURES],
        "--enable-features": [*PLAYWRIGHT_ENABLED_FEATURES],
    }
    rest: list[str] = []
    for arg in args:
        name, sep, value = arg.partition("=")
        if sep and name in merged:
            merged[name].extend(v for v in value.split(",") if v)
        else:
            rest.append(arg)
    return rest + [f"{name}={','.join(dict.fromkeys(values))}" for name, values in merged.items()]


class BrowserSession:
    """An open Chromium; use ``async with BrowserSession(options) as session``."""

    def __init__(self, options: AuditOptions) -> None:
        self.options = options
        self.info = BrowserInfo()
        self._pw: Playwright | None = None
        self._root: BrowserContext | None = None
        self._browser: Browser | None = None
        self._profile: Path | None = None
        self._open: dict[str, set[BrowserContext]] = {}
        """The contexts still open, per site URL (what :meth:`discard_site` closes)."""

    async def __aenter__(self) -> BrowserSession:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def browser(self) -> Browser:
        """The running browser (after :meth:`start`)."""
        if self._browser is None:
            raise RuntimeError("browser session not started")
        return self._browser

    def launch_args(self) -> list[str]:
        """Chromium command-line arguments for this run."""
        args = list(STEALTH_ARGS)
        if self.options.host_resolver_rules:
            args.append(f"--host-resolver-rules={self.options.host_resolver_rules}")
        args.extend(self.options.extra_browser_args)
        return merge_feature_switches([*args, f"--disable-features={','.join(LEAN_DISABLED_FEATURES)}"])

    async def start(self) -> None:
        """Launch the browser (raises :class:`auditor.yamlutil.ConfigError` when none is found)."""
        choice = find_browser(self.options.browser)
        sandbox = sandbox_wanted(self.options)
        self._profile = Path(tempfile.mkdtemp(prefix="consent-audit-profile-"))
        default = self._profile / "Default"
        default.mkdir()
        mode = 1 if self.options.block_third_party_cookies else 0
        prefs = {"profile": {"cookie_controls_mode": mode}}
        (default / "Preferences").write_text(json.dumps(prefs), encoding="utf-8")
        self._pw = await async_playwright().start()
        try:
            self._root = await self._pw.chromium.launch_persistent_context(
                str(self._profile),
                executable_path=choice.path,
                headless=True,
                args=self.launch_args(),
                chromium_sandbox=sandbox,
            )
            browser = self._root.browser
            if browser is None:  # pragma: no cover - Playwright always returns it for Chromium
                raise RuntimeError("Playwright did not expose the browser of the persistent context")
            self._browser = browser
            page = await self._root.new_page()
            native_ua = await page.evaluate("navigator.userAgent")
            # Close every page of the root context (the persistent context opens one): audits use
            # fresh contexts, and an idle about:blank page keeps a renderer process (~100 MB) alive.
            for idle in list(self._root.pages):
                await idle.close()
        except BaseException:
            await self.close()
            raise
        user_agent = self.options.user_agent or str(native_ua).replace("HeadlessChrome", "Chrome")
        self.info = BrowserInfo(version=self._browser.version, user_agent=user_agent, executable=choice.path)

    async def new_context(self, site: SiteConfig) -> BrowserContext:
        """A fresh, empty browser context for one phase of ``site``."""
        width, height = self.options.viewport
        kwargs: dict[str, Any] = {
            "locale": site.locale or self.options.locale,
            "timezone_id": site.timezone or self.options.timezone,
            "user_agent": self.info.user_agent,
            "viewport": {"width": width, "height": height},
            "ignore_https_errors": self.options.ignore_https_errors,
        }
        context = await self.browser.new_context(**kwargs)
        opened = self._open.setdefault(site.url, set())
        opened.add(context)
        context.on("close", lambda _: opened.discard(context))
        return context

    async def discard_site(self, site: SiteConfig, grace: float) -> bool:
        """Close every context still open for ``site`` (an abandoned attempt), waiting at most ``grace`` s each.

        Closing a context destroys its pages and so their renderer processes, also when a page no longer
        answers (a script in an endless loop). Returns ``False`` when a context did not close in time:
        the browser itself is then not answering and should be replaced.
        """
        closed = True
        for context in list(self._open.pop(site.url, ())):
            try:
                await asyncio.wait_for(context.close(), grace)
            except TimeoutError:
                closed = False
            except Exception:  # already closed, or the browser is gone: nothing left to close
                continue
        return closed

    async def close(self) -> None:
        """Close the browser and remove the throw-away profile."""
        if self._root is not None:
            # Closing a crashed browser must not mask the real error.
            with contextlib.suppress(Exception):
                await self._root.close()
            self._root = None
        if self._pw is not None:
            await self._pw.stop()
            self._pw = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None
        self._browser = None
