"""Reading the IAB TCF state of a page: ``__tcfapi('getTCData')`` and the ``euconsent-v2`` cookie.

Both are decoded strictly (``auditor.tcf``): a string that does not decode is kept as invalid
evidence and never counts as consent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from auditor.model import Cookie, TcfState

TCF_COOKIES = ("euconsent-v2", "euconsent")

# Ask the top frame's __tcfapi, or, in a frame-based CMP, post to the __tcfapiLocator frame.
GET_TCDATA_JS = """() => new Promise((resolve) => {
  const done = (value) => { clearTimeout(timer); resolve(value); };
  const timer = setTimeout(() => resolve(null), 1500);
  try {
    if (typeof window.__tcfapi === 'function') {
      window.__tcfapi('getTCData', 2, (data, ok) => done(ok ? data : {error: 'getTCData failed'}));
      return;
    }
    let win = window, locator = null;
    while (win) {
      try { if (win.frames['__tcfapiLocator']) { locator = win; break; } } catch (e) {}
      if (win === window.top) break;
      win = win.parent;
    }
    if (!locator) { done(null); return; }
    const callId = 'consent-audit-' + Math.random();
    const onMessage = (event) => {
      let msg = event.data;
      try { if (typeof msg === 'string') msg = JSON.parse(msg); } catch (e) { return; }
      if (msg && msg.__tcfapiReturn && msg.__tcfapiReturn.callId === callId) {
        window.removeEventListener('message', onMessage);
        done(msg.__tcfapiReturn.success ? msg.__tcfapiReturn.returnValue : {error: 'getTCData failed'});
      }
    };
    window.addEventListener('message', onMessage);
    locator.postMessage({__tcfapiCall: {command: 'getTCData', version: 2, callId}}, '*');
  } catch (e) { done({error: String(e)}); }
})"""


async def read_tcf(page: Page, cookies: Sequence[Cookie]) -> tuple[TcfState, ...]:
    """The TCF states visible now: one from the API (if a CMP answers) and one per TCF cookie."""
    from auditor.tcf import to_tcf_state

    states: list[TcfState] = []
    try:
        data: Any = await page.evaluate(GET_TCDATA_JS)
    except PlaywrightError:
        data = None
    if isinstance(data, dict):
        tc_string = data.get("tcString") if isinstance(data.get("tcString"), str) else None
        states.append(to_tcf_state(tc_string or None, "api", data))
    for cookie in cookies:
        if cookie.name in TCF_COOKIES:
            states.append(to_tcf_state(cookie.value, "cookie"))
    return tuple(states)
