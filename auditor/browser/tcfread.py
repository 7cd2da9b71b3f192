"""Reading the IAB TCF state of a page: ``__tcfapi('addEventListener')`` and the ``euconsent-v2`` cookie.

Both are decoded strictly (``auditor.tcf``): a string that does not decode is kept as invalid
evidence and never counts as consent (what it still signals is read leniently, for the rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from auditor.model import Cookie, TcfState

TCF_COOKIES = ("euconsent-v2", "euconsent")

# Listen through the top frame's __tcfapi (or, in a frame-based CMP, by posting to the __tcfapiLocator
# frame) with addEventListener, and answer with the first state whose eventStatus is one of `settled`:
# a CMP still loading answers when it is ready, and after a click the post-choice state is the one read.
# At the deadline the last state heard (if any) is returned. The listener is removed in every case.
GET_TCDATA_JS = """([settled, deadlineMs]) => new Promise((resolve) => {
  let finished = false, listenerId = null, last = null, remove = null;
  const finish = (value) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    if (remove) { try { remove(); } catch (e) {} }
    resolve(value);
  };
  const timer = setTimeout(() => finish(last), deadlineMs);
  const heard = (data, ok) => {
    if (!ok || !data || typeof data !== 'object') {
      if (last === null) last = {error: 'addEventListener failed'};
      return;
    }
    if (listenerId === null && data.listenerId !== undefined && data.listenerId !== null) listenerId = data.listenerId;
    last = data;
    if (settled.includes(data.eventStatus) || data.cmpStatus === 'error') finish(data);
  };
  try {
    if (typeof window.__tcfapi === 'function') {
      remove = () => { if (listenerId !== null) window.__tcfapi('removeEventListener', 2, () => {}, listenerId); };
      window.__tcfapi('addEventListener', 2, heard);
      return;
    }
    let win = window, locator = null;
    while (win) {
      try { if (win.frames['__tcfapiLocator']) { locator = win; break; } } catch (e) {}
      if (win === window.top) break;
      win = win.parent;
    }
    if (!locator) { finish(null); return; }
    const callId = 'consent-audit-' + Math.random();
    const onMessage = (event) => {
      let msg = event.data;
      try { if (typeof msg === 'string') msg = JSON.parse(msg); } catch (e) { return; }
      if (msg && msg.__tcfapiReturn && msg.__tcfapiReturn.callId === callId) {
        heard(msg.__tcfapiReturn.returnValue, msg.__tcfapiReturn.success);
      }
    };
    remove = () => {
      window.removeEventListener('message', onMessage);
      if (listenerId !== null) {
        locator.postMessage({__tcfapiCall: {command: 'removeEventListener', version: 2, callId: callId + '-remove',
                                            parameter: listenerId}}, '*');
      }
    };
    window.addEventListener('message', onMessage);
    locator.postMessage({__tcfapiCall: {command: 'addEventListener', version: 2, callId}}, '*');
  } catch (e) { finish({error: String(e)}); }
})"""

BEFORE_CHOICE = ("tcloaded", "useractioncomplete", "cmpuishown")
"""States that answer before any click: the UI shown (``cmpuishown``) is the state a visitor faces."""
AFTER_CHOICE = ("tcloaded", "useractioncomplete")
"""States that answer after a click: the post-choice state (``cmpuishown`` again means no choice was kept)."""


async def read_tcf(
    page: Page, cookies: Sequence[Cookie], *, after_choice: bool = False, deadline: float = 5.0
) -> tuple[TcfState, ...]:
    """The TCF states visible now: one from the API (if a CMP answers) and one per TCF cookie.

    The API is read through ``addEventListener``: the first state whose ``eventStatus`` is settled
    (:data:`BEFORE_CHOICE`, or :data:`AFTER_CHOICE` with ``after_choice``) is taken, waiting at most
    ``deadline`` seconds (then the last state heard, possibly none). A page without ``__tcfapi`` or a
    locator frame answers at once.
    """
    from auditor.tcf import to_tcf_state

    states: list[TcfState] = []
    settled = list(AFTER_CHOICE if after_choice else BEFORE_CHOICE)
    try:
        data: Any = await page.evaluate(GET_TCDATA_JS, [settled, int(deadline * 1000)])
    except PlaywrightError:
        data = None
    if isinstance(data, dict):
        tc_string = data.get("tcString") if isinstance(data.get("tcString"), str) else None
        states.append(to_tcf_state(tc_string or None, "api", data))
    for cookie in cookies:
        if cookie.name in TCF_COOKIES:
            states.append(to_tcf_state(cookie.value, "cookie"))
    return tuple(states)
