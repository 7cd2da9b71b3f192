"""A script in every frame that tells the auditor what Chromium's network events do not.

Installed on a context before its first page (:func:`install_tap`), it reports two things through an
exposed binding to the context's :class:`~auditor.browser.network.NetworkRecorder`:

* **the consent click**: a capture-phase listener on ``pointerdown``/``mousedown``/``click``/``keydown``
  runs before the page's own handlers, so the recorder switches from the ``before`` label to the
  role's exactly at the click (:meth:`NetworkRecorder.switch_at_click`) — requests made while the
  auditor waited for the banner stay in ``before``;
* **beacons**: every ``navigator.sendBeacon`` and ``fetch(..., {keepalive: true})`` call made while the
  page is being left (from ``beforeunload``, ``pagehide`` or a hidden ``visibilitychange`` on), with its
  URL, at the moment it is made. Chromium shows beacons sent on ``beforeunload`` as request events, but
  not those sent during ``pagehide``/``unload`` of a page being closed: this report is then the only
  trace (``Request.observed == "page"``, no status). Earlier beacons are not reported (Chromium shows
  them; each report costs a round trip).

What the tap cannot see: beacons sent by a page that replaced ``navigator.sendBeacon``/``fetch`` before
the tap ran (it runs first in every document, so only a frame it cannot enter: none in Chromium), and
``<a ping>`` / image beacons fired during unload, which are neither.
"""

from __future__ import annotations

from typing import Any

from playwright.async_api import BrowserContext

from auditor.browser.network import NetworkRecorder

BINDING = "__consentAuditTap"
"""Name of the binding the tap calls (``window.__consentAuditTap(kind, data)``)."""

TAP_JS = """(() => {
  if (window.__consentAuditTapped) return;
  Object.defineProperty(window, '__consentAuditTapped', {value: true});
  const send = (kind, data) => {
    try { const tap = window.__consentAuditTap; if (typeof tap === 'function') tap(kind, data); } catch (e) {}
  };
  const absolute = (url) => {
    try { return String(new URL(String(url), location.href)); } catch (e) { return String(url); }
  };
  // Only the first input of a document matters (the label switches once): one report, then silence.
  const types = ['pointerdown', 'mousedown', 'click', 'keydown'];
  const onInput = () => {
    for (const type of types) window.removeEventListener(type, onInput, true);
    send('click', {frame: location.href});
  };
  for (const type of types) window.addEventListener(type, onInput, true);
  // Beacons are reported only while the page is being left: at other times Chromium's request events
  // show them, and every report costs a round trip. These listeners run before the page's own.
  let leaving = false;
  const onLeave = () => { leaving = true; };
  window.addEventListener('beforeunload', onLeave, true);
  window.addEventListener('pagehide', onLeave, true);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') leaving = true;
  }, true);
  const nav = window.navigator;
  if (nav && typeof nav.sendBeacon === 'function') {
    const sendBeacon = nav.sendBeacon;
    nav.sendBeacon = function (url) {
      if (leaving) send('beacon', {url: absolute(url), method: 'POST', type: 'beacon', frame: location.href});
      return sendBeacon.apply(this, arguments);
    };
  }
  if (typeof window.fetch === 'function') {
    const fetch = window.fetch;
    window.fetch = function (input, init) {
      try {
        const isRequest = typeof Request !== 'undefined' && input instanceof Request;
        if (leaving && ((init && init.keepalive) || (isRequest && input.keepalive))) {
          const method = (init && init.method) || (isRequest ? input.method : 'GET');
          send('beacon', {url: absolute(isRequest ? input.url : input), method: String(method).toUpperCase(),
                          type: 'fetch', frame: location.href});
        }
      } catch (e) {}
      return fetch.apply(this, arguments);
    };
  }
})();"""


async def install_tap(context: BrowserContext, recorder: NetworkRecorder) -> None:
    """Expose the binding and add the tap script to every document ``context`` will load."""

    def called(source: Any, kind: Any, data: Any) -> None:
        if kind == "click":
            recorder.clicked()
        elif kind == "beacon" and isinstance(data, dict) and isinstance(data.get("url"), str):
            frame = data.get("frame")
            recorder.page_beacon(
                data["url"],
                str(data.get("method") or "POST"),
                str(data.get("type") or "beacon"),
                frame if isinstance(frame, str) else None,
            )

    await context.expose_binding(BINDING, called)
    await context.add_init_script(TAP_JS)
