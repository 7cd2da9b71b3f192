"""Running DuckDuckGo's autoconsent content script in a page and answering its messages.

The content script (``autoconsent.playwright.js``) talks to its host through a binding,
``autoconsentSendMessage``, that must exist before the script is evaluated, and is answered through
``autoconsentReceiveMessage`` in the frame that asked. An :class:`AutoconsentSession`:

* exposes the binding on the page (once per page) and evaluates the script in every frame, and again in
  a frame that navigates while the session is open;
* answers ``init`` with the configuration and the rules that can run in that frame
  (:meth:`Vendored.rules_json`), and every ``eval`` by evaluating its code in the frame that asked,
  replying ``evalResp`` within :data:`EVAL_TIMEOUT` (the content script counts a later reply as false);
* never lets the script act by itself (``autoAction`` is ``null``): it only detects, and the session sends
  ``optOut`` or ``optIn`` when :meth:`AutoconsentSession.act` is called;
* is safe in the reject context: the content script's heuristics are off (they may press accept), and
  cosmetic rules (which only hide a banner) are neither sent nor accepted as a choice;
* runs the rule's self-test after an opt-out that schedules one: a failed self-test leaves the choice
  unconfirmed (:mod:`auditor.browser.confirm`).

The content script sends no "nothing found" in time on a page without a matching rule, so every wait
here has its own deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page

from auditor.browser.autoconsent.vendored import Vendored, vendored
from auditor.browser.labels import Role

BINDING = "autoconsentSendMessage"
EVAL_TIMEOUT = 1.0
"""Seconds an ``eval`` may take before the reply is ``false`` (the content script's own limit is 1 s)."""
ACT_TIMEOUT = 15.0
"""Longest wait for a rule's opt-out or opt-in to finish."""
SELF_TEST_TIMEOUT = 3.0
"""Longest wait for a rule's self-test result."""

CONFIG: Mapping[str, Any] = {
    "enabled": True,
    "autoAction": None,  # the session decides when to act, and what
    "disabledCmps": [],
    "enablePrehide": False,  # hiding elements before the audit has looked at them would hide evidence
    "enableCosmeticRules": False,  # hiding a banner is not a choice
    "enableGeneratedRules": True,
    "detectRetries": 20,
    "isMainWorld": False,
    "prehideTimeout": 2000,
    "enableHeuristicDetection": False,
    "enablePopupMutationObserver": True,
    "visualTest": False,
    "logs": {
        "lifecycle": False,
        "rulesteps": False,
        "detectionsteps": False,
        "evals": False,
        "errors": False,
        "messages": False,
        "waits": False,
    },
    "performanceLoggingEnabled": False,
    "heuristicPopupSearchTimeout": 100,
    "heuristicMode": "off",  # its heuristics may press accept (tier1/tier2): never in the reject context
}
"""The content script's configuration (``lib/types.ts`` ``Config`` of the package)."""


@dataclass(frozen=True)
class AutoconsentResult:
    """What autoconsent did when asked to choose."""

    rule: str | None
    """The rule that found the popup (``None`` when none did)."""
    acted: bool
    """The rule's opt-out or opt-in steps ran to their end."""
    clicks: int = 0
    self_test: bool | None = None
    """The rule's self-test (``None`` when it has none or it was not run)."""
    cosmetic: bool = False
    frame_url: str | None = None
    reason: str | None = None
    """Why nothing was done, or how it fell short."""
    ms: float = 0.0
    """Wall time from injection to this result (detection runs while the auditor's own scans go on)."""
    inject_ms: float = 0.0
    """Time spent evaluating the content script in the page's frames."""
    errors: tuple[str, ...] = ()


@dataclass
class _Frames:
    """Per-session state fed by the binding."""

    queue: asyncio.Queue[tuple[Frame, dict[str, Any]]] = field(default_factory=asyncio.Queue)
    clicks: dict[Frame, int] = field(default_factory=dict)
    popups: list[tuple[Frame, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


_SESSIONS: weakref.WeakKeyDictionary[Page, AutoconsentSession] = weakref.WeakKeyDictionary()
_BOUND: weakref.WeakSet[Page] = weakref.WeakSet()


class AutoconsentSession:
    """Autoconsent in one page, from :meth:`start` (inject) to :meth:`close`."""

    def __init__(self, page: Page, role: Role, engine: Vendored | None = None) -> None:
        self.page = page
        self.role = role
        self._engine = engine
        self.started = False
        self._state = _Frames()
        self._tasks: set[asyncio.Task[None]] = set()
        self._t0 = 0.0
        self.inject_ms = 0.0

    @property
    def engine(self) -> Vendored:
        """The vendored package (read on first use: a session never started costs nothing)."""
        if self._engine is None:
            self._engine = vendored()
        return self._engine

    async def start(self) -> None:
        """Expose the binding (once per page) and evaluate the content script in every frame."""
        if self.started:
            return
        self.started = True
        self._t0 = time.perf_counter()
        _SESSIONS[self.page] = self
        if self.page not in _BOUND:
            await self.page.expose_binding(BINDING, _dispatch)
            _BOUND.add(self.page)
        self.page.on("framenavigated", self._navigated)
        await asyncio.gather(*(self._inject(f) for f in self.page.frames))
        self.inject_ms = round((time.perf_counter() - self._t0) * 1000, 1)

    def close(self) -> None:
        """Stop answering (the content script stays in the page, inert: it never acts by itself)."""
        if not self.started:
            return
        with contextlib.suppress(KeyError):
            if _SESSIONS.get(self.page) is self:
                del _SESSIONS[self.page]
        with contextlib.suppress(Exception):
            self.page.remove_listener("framenavigated", self._navigated)
        for task in self._tasks:
            task.cancel()

    @property
    def found(self) -> bool:
        """Whether a rule has reported an open popup (:class:`auditor.browser.consent.finders.WaitHelper`)."""
        return bool(self._state.popups)

    @property
    def popup(self) -> str | None:
        """The rule that has reported an open popup so far, if any."""
        return self._state.popups[0][1] if self._state.popups else None

    @property
    def popup_frame(self) -> str | None:
        """The URL of the frame where that rule found its popup."""
        return self._state.popups[0][0].url if self._state.popups else None

    async def wait_popup(self, timeout: float) -> str | None:
        """The first rule reporting an open popup within ``timeout`` seconds, else ``None``."""
        if self.popup is None:
            await self._next(lambda m: m.get("type") == "popupFound", timeout)
        return self.popup

    async def act(self, timeout: float = ACT_TIMEOUT) -> AutoconsentResult:
        """Run the popup's rule for the session's role (``optOut`` or ``optIn``) and its self-test."""
        if not self._state.popups:
            return self._result(None, False, reason="autoconsent found no consent popup it has a rule for")
        if self.role not in ("reject", "accept"):
            return self._result(None, False, reason=f"autoconsent makes no {self.role!r} choice")
        frame, rule = self._state.popups[0]
        kind = "optOut" if self.role == "reject" else "optIn"
        while not self._state.queue.empty():  # what came before the order (the popups are listed already)
            self._state.queue.get_nowait()
        self._spawn(self._send(frame, {"type": kind}))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        scheduled = False
        stage_done = False
        while True:
            message = await self._next(
                lambda m: m.get("type") in (f"{kind}Result", "autoconsentDone", "popupFound"), deadline - loop.time()
            )
            if message is None:
                reason = f"autoconsent rule {rule!r}: no {kind} result in time"
                return self._result(rule, False, frame, reason=reason)
            where, msg = message
            if msg["type"] == "popupFound":
                if stage_done:  # an intermediate rule opened the next stage, found by a rule: run it too
                    frame, rule, stage_done = where, str(msg.get("cmp")), False
                    self._spawn(self._send(frame, {"type": kind}))
            elif where is not frame:
                continue
            elif msg["type"] == f"{kind}Result":
                if not msg.get("result"):
                    return self._result(rule, False, frame, reason=f"autoconsent rule {rule!r}: {kind} failed")
                scheduled = bool(msg.get("scheduleSelfTest"))
                stage_done = True
            elif msg.get("isCosmetic"):  # autoconsentDone of a rule that only hid the banner
                reason = f"autoconsent rule {rule!r} only hides the banner: that is no choice"
                return self._result(rule, False, frame, cosmetic=True, reason=reason)
            else:  # autoconsentDone
                clicks = int(msg.get("totalClicks") or self._state.clicks.get(frame, 0))
                self_test = await self._self_test(frame) if scheduled and self.role == "reject" else None
                return self._result(rule, True, frame, clicks=clicks, self_test=self_test)

    async def _self_test(self, frame: Frame) -> bool | None:
        self._spawn(self._send(frame, {"type": "selfTest"}))
        message = await self._next(lambda m: m.get("type") == "selfTestResult", SELF_TEST_TIMEOUT, frame)
        return None if message is None else bool(message[1].get("result"))

    def _result(
        self,
        rule: str | None,
        acted: bool,
        frame: Frame | None = None,
        *,
        clicks: int = 0,
        self_test: bool | None = None,
        cosmetic: bool = False,
        reason: str | None = None,
    ) -> AutoconsentResult:
        return AutoconsentResult(
            rule=rule,
            acted=acted,
            clicks=clicks,
            self_test=self_test,
            cosmetic=cosmetic,
            frame_url=frame.url if frame is not None else None,
            reason=reason,
            ms=round((time.perf_counter() - self._t0) * 1000, 1) if self.started else 0.0,
            inject_ms=self.inject_ms,
            errors=tuple(self._state.errors[:5]),
        )

    async def _next(
        self, wanted: Any, timeout: float, frame: Frame | None = None
    ) -> tuple[Frame, dict[str, Any]] | None:
        """The next queued message ``wanted`` accepts (from ``frame`` when given), within ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            try:
                where, msg = await asyncio.wait_for(self._state.queue.get(), remaining)
            except TimeoutError:
                return None
            if wanted(msg) and (frame is None or where is frame):
                return where, msg

    def receive(self, frame: Frame, message: dict[str, Any]) -> None:
        """A message from the content script of ``frame`` (called by the binding)."""
        kind = message.get("type")
        if kind == "init":
            main = frame.parent_frame is None
            rules = self.engine.rules_json(frame.url, main)
            self._spawn(self._send_raw(frame, f'{{"type":"initResp","config":{json.dumps(CONFIG)},"rules":{rules}}}'))
            return
        if kind == "eval":
            self._spawn(self._eval(frame, str(message.get("id")), str(message.get("code", ""))))
            return
        if kind == "report":
            state = message.get("state") or {}
            self._state.clicks[frame] = int(state.get("clicks") or 0)
            return
        if kind == "popupFound":
            self._state.popups.append((frame, str(message.get("cmp"))))
        elif kind == "autoconsentError":
            self._state.errors.append(json.dumps(message.get("details"), default=str)[:300])
        self._state.queue.put_nowait((frame, message))

    async def _eval(self, frame: Frame, ident: str, code: str) -> None:
        try:
            result = await asyncio.wait_for(frame.evaluate(code), EVAL_TIMEOUT)
        except (TimeoutError, PlaywrightError):
            result = False
        await self._send(frame, {"type": "evalResp", "id": ident, "result": _jsonable(result)})

    async def _send(self, frame: Frame, message: Mapping[str, Any]) -> None:
        await self._send_raw(frame, json.dumps(message))

    async def _send_raw(self, frame: Frame, message_json: str) -> None:
        with contextlib.suppress(PlaywrightError):
            await frame.evaluate(f"window.autoconsentReceiveMessage && autoconsentReceiveMessage({message_json})")

    async def _inject(self, frame: Frame) -> None:
        with contextlib.suppress(PlaywrightError):  # a frame detached meanwhile
            await frame.evaluate(self.engine.script)

    def _navigated(self, frame: Frame) -> None:
        self._spawn(self._inject(frame))

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return value


def _dispatch(source: Mapping[str, Any], message: Any) -> None:
    """The binding: hand the message to the page's open session (none: the message is dropped)."""
    frame = source.get("frame")
    page = frame.page if isinstance(frame, Frame) else None
    session = _SESSIONS.get(page) if page is not None else None
    if session is not None and isinstance(frame, Frame) and isinstance(message, dict):
        session.receive(frame, message)
