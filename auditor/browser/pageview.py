"""One page view: navigating and settling, the second view beside the clicked page, leaving a page.

``load_page`` navigates and waits for the network to settle (a ``load`` event that never fires is a
warning, not a failure) and returns the status, the fatal error, the warnings and the redirect chain.
``second_page`` opens the second view beside the clicked page; ``leave`` closes the clicked page the
way a user leaves it, running its unload handlers (see ``docs/evidence.md``).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from playwright.async_api import BrowserContext, Dialog, Frame, Page
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Request as PWRequest
from playwright.async_api import TimeoutError as PlaywrightTimeout

from auditor.browser.network import NetworkRecorder
from auditor.config import AuditOptions, SiteConfig

if TYPE_CHECKING:
    from auditor.browser.session import BrowserSession

NET_ERRORS = {
    "ERR_NAME_NOT_RESOLVED": "DNS lookup failed: the host name does not resolve",
    "ERR_NAME_RESOLUTION_FAILED": "DNS lookup failed",
    "ERR_CONNECTION_REFUSED": "connection refused: the host is unreachable on that port",
    "ERR_CONNECTION_RESET": "connection reset by the server",
    "ERR_CONNECTION_CLOSED": "connection closed by the server",
    "ERR_CONNECTION_TIMED_OUT": "connection timed out",
    "ERR_ADDRESS_UNREACHABLE": "address unreachable",
    "ERR_TIMED_OUT": "the request timed out",
    "ERR_SSL_PROTOCOL_ERROR": "TLS handshake failed",
    "ERR_CERT_": "TLS certificate error",
    "ERR_BAD_SSL_CLIENT_AUTH_CERT": "TLS client certificate rejected",
    "ERR_TOO_MANY_REDIRECTS": "too many redirects",
    "ERR_EMPTY_RESPONSE": "the server sent an empty response",
    "ERR_INTERNET_DISCONNECTED": "no network",
}


NAVIGATION_LIMIT = 5
"""Main-frame navigations while a page settles beyond which it counts as never settling (a reload loop)."""
SELF_RELOADS = 3
"""Commits of one same URL while a page settles from which it counts as never settling (a page reloading
itself: ``location.replace(location.href)``, a 0 s meta refresh), however slowly the machine runs it."""
DIALOG_RECORDS = 5
"""Dialogs of one page recorded as warnings (every one is dismissed; a page may open them in a loop)."""


def describe_error(exc: BaseException) -> str:
    """A one-line, human reason for a navigation failure, keeping Chromium's error code."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "Target crashed" in text or "Page crashed" in text:
        return f"the page's renderer process crashed (out of memory, or killed): {text}"
    if isinstance(exc, PlaywrightTimeout):
        return f"page load timed out ({text.removeprefix('Timeout ').split(' exceeded')[0]} exceeded)"
    match = re.search(r"net::(ERR_[A-Z_]+)", text)
    if match:
        code = match.group(1)
        for prefix, human in NET_ERRORS.items():
            if code.startswith(prefix):
                return f"{human} ({code})"
        return f"network error ({code})"
    return text


@dataclass(frozen=True)
class Loaded:
    """What :func:`load_page` saw of one navigation."""

    status: int | None
    error: str | None
    warnings: list[str]
    redirects: tuple[str, ...] = ()


async def load_page(
    page: Page,
    recorder: NetworkRecorder,
    options: AuditOptions,
    url: str | None,
    *,
    second_view: bool = False,
) -> Loaded:
    """Navigate to ``url`` (or, for a second view without one, reload) and wait for the network to settle.

    Returns the HTTP status, the fatal error, warnings and the redirect chain. A page whose
    ``load`` event never fires is not fatal: the evidence is collected anyway, with a warning. An
    HTTP error status is fatal only for the first view.
    """
    warnings: list[str] = []
    watch_dialogs(page, warnings)
    navigations = Navigations()

    def navigated(frame: Frame) -> None:
        if frame == page.main_frame:
            navigations.seen(commit=True)

    def loaded(view: Page) -> None:
        navigations.seen(document=view.url)

    page.on("framenavigated", navigated)
    page.on("domcontentloaded", loaded)
    try:
        return await _load(page, recorder, options, url, second_view, warnings, navigations)
    finally:
        page.remove_listener("framenavigated", navigated)
        page.remove_listener("domcontentloaded", loaded)


async def _load(
    page: Page,
    recorder: NetworkRecorder,
    options: AuditOptions,
    url: str | None,
    second_view: bool,
    warnings: list[str],
    navigations: Navigations,
) -> Loaded:
    loop = asyncio.get_running_loop()
    begun = loop.time()
    try:
        if url is not None:
            response = await page.goto(url, wait_until="domcontentloaded", timeout=options.timeout * 1000)
        elif second_view:
            response = await page.reload(wait_until="domcontentloaded", timeout=options.timeout * 1000)
        else:
            raise ValueError("load_page needs a URL for a first view")
    except PlaywrightError as exc:
        return Loaded(None, describe_error(exc), warnings)
    started = loop.time()
    settling = asyncio.ensure_future(_settle(page, recorder, options, started, warnings))
    looping = asyncio.ensure_future(navigations.looping.wait())
    # A reload loop ends the wait as soon as it is seen: waiting on a page that keeps navigating makes
    # every step slow (the load state, the quiet network) until the site's budget runs out.
    await asyncio.wait((settling, looping), return_when=asyncio.FIRST_COMPLETED)
    for task in (settling, looping):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, PlaywrightError):
            await task
    status = response.status if response is not None else None
    redirects = redirect_chain(response.request) if response is not None else ()
    if navigations.never_settled:
        error = f"the page never settled: it navigated {navigations.count} times in {loop.time() - begun:.0f} s"
        # Stop the loop (the cookies stay in the context): a page navigating without end makes every
        # later call on it slow, closing it included.
        with contextlib.suppress(PlaywrightError):
            await page.goto("about:blank", timeout=options.timeout * 1000)
        warnings.append("the page was stopped (about:blank) after it kept navigating; its storage was not read")
        return Loaded(status, error, warnings, redirects)
    if status is not None and status >= 400 and not second_view:
        error = f"HTTP {status} {response.status_text if response else ''}".strip()
        if status == 403:
            error += " (the site refuses the auditor: a bot wall?)"
        return Loaded(status, error, warnings, redirects)
    return Loaded(status, None, warnings, redirects)


@dataclass
class Navigations:
    """What the main frame did while a page settled: its commits (same-document ones included, as Playwright
    reports them) and the URL of each new document (its ``DOMContentLoaded``)."""

    commits: int = 0
    documents: list[str] = field(default_factory=list)
    looping: asyncio.Event = field(default_factory=asyncio.Event)
    """Set as soon as :attr:`never_settled` holds (see :meth:`seen`)."""

    def seen(self, *, commit: bool = False, document: str | None = None) -> None:
        """Count a main-frame commit or a new document's URL."""
        self.commits += commit
        if document is not None:
            self.documents.append(document)
        if self.never_settled:
            self.looping.set()

    @property
    def count(self) -> int:
        """Navigations seen (the larger of the two counts)."""
        return max(self.commits, len(self.documents))

    @property
    def never_settled(self) -> bool:
        """A reload loop: more than :data:`NAVIGATION_LIMIT` commits, or :data:`SELF_RELOADS` documents of one
        same URL (a page reloading itself, however slowly the machine runs it; a ``replaceState`` is no new
        document)."""
        same = max(Counter(self.documents).values(), default=0)
        return self.commits > NAVIGATION_LIMIT or same >= SELF_RELOADS


async def _settle(
    page: Page, recorder: NetworkRecorder, options: AuditOptions, started: float, warnings: list[str]
) -> None:
    """Wait for the ``load`` event (a warning when it does not fire in time), then for the network to settle."""
    try:
        await page.wait_for_load_state("load", timeout=options.timeout * 1000)
    except PlaywrightError:
        warnings.append(f"the load event did not fire within {options.timeout:g} s; evidence collected anyway")
    await recorder.wait_quiet(options.quiet_ms, options.quiet_cap, at_least_until=started + options.settle)


def watch_dialogs(page: Page, warnings: list[str]) -> None:
    """Dismiss every ``alert``/``confirm``/``prompt``/``beforeunload`` dialog of ``page``, as a user closing it
    would, and record the first :data:`DIALOG_RECORDS` in ``warnings`` (once per page)."""
    if getattr(page, "_audit_dialogs", False):
        return
    setattr(page, "_audit_dialogs", True)  # noqa: B010 - a mark on Playwright's object, not one of ours
    seen = 0

    async def dismiss(dialog: Dialog) -> None:
        nonlocal seen
        seen += 1
        if seen <= DIALOG_RECORDS:
            message = " ".join(dialog.message.split())[:120]
            warnings.append(f"the page opened a {dialog.type} dialog ({message!r}); dismissed")
        with contextlib.suppress(PlaywrightError):
            await dialog.dismiss()

    page.on("dialog", dismiss)


async def second_page(context: BrowserContext, page: Page) -> Page:
    """A new page of the same context for the second view, opened by the clicked page itself.

    ``window.open`` keeps it in the clicked page's renderer process (same site, same browsing
    context group): no extra process per context. Falls back to a plain new page when the site
    blocks or replaces ``window.open``.
    """
    waiter = asyncio.ensure_future(context.wait_for_event("page", timeout=5000))
    try:
        opened = await page.evaluate("() => !!window.open('about:blank', '_blank')")
    except PlaywrightError:
        opened = False
    if opened:
        with contextlib.suppress(PlaywrightError):
            view: Page = await waiter
            return view
    waiter.cancel()
    with contextlib.suppress(asyncio.CancelledError, PlaywrightError):
        await waiter
    return await context.new_page()


def redirect_chain(request: PWRequest) -> tuple[str, ...]:
    """The URLs an HTTP navigation was redirected through, first one first (not the final URL)."""
    chain: list[str] = []
    previous = request.redirected_from
    while previous is not None:
        chain.append(previous.url)
        previous = previous.redirected_from
    return tuple(reversed(chain))


async def leave(page: Page, timeout: float = 3.0) -> bool:
    """Close ``page`` as a user leaves it: ``beforeunload``, ``pagehide`` and ``unload`` handlers run.

    Returns ``False`` when the page stayed (a ``beforeunload`` prompt, dismissed): it is then closed
    without its handlers."""
    closed = asyncio.ensure_future(page.wait_for_event("close", timeout=timeout * 1000))
    try:
        await page.close(run_before_unload=True)
        await closed
        return True
    except PlaywrightError:
        closed.cancel()
        with contextlib.suppress(asyncio.CancelledError, PlaywrightError):
            await closed
        with contextlib.suppress(PlaywrightError):
            await page.close()
        return False


async def is_loaded(page: Page) -> bool:
    """Whether the page's document finished loading (its ``load`` event fired)."""
    try:
        return bool(await page.evaluate("document.readyState === 'complete'"))
    except PlaywrightError:
        return False


class Unreachable(Exception):
    """The page could not be loaded at all; ``str()`` is the human reason (:func:`describe_error`)."""


@contextlib.asynccontextmanager
async def opened(
    session: BrowserSession, site: SiteConfig, timeout: float
) -> AsyncIterator[tuple[BrowserContext, Page]]:
    """A fresh context of ``session`` with ``site`` loaded, for a command that looks at one page without
    auditing it (``probe``, ``policy draft``): its ``load`` event awaited but not required; the context is
    closed afterwards. Raises :class:`Unreachable` when the page does not load."""
    context = await session.new_context(site)
    try:
        page = await context.new_page()
        try:
            await page.goto(site.url, wait_until="domcontentloaded", timeout=timeout * 1000)
        except PlaywrightError as exc:
            raise Unreachable(describe_error(exc)) from None
        with contextlib.suppress(PlaywrightError):  # a page whose load event never fires is read anyway
            await page.wait_for_load_state("load", timeout=timeout * 1000)
        yield context, page
    finally:
        with contextlib.suppress(PlaywrightError):
            await context.close()
