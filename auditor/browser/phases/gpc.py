"""The ``gpc`` phase: a fresh context sending Global Privacy Control, choosing nothing.

Every request carries ``Sec-GPC: 1`` and every frame sees ``navigator.globalPrivacyControl === true``
(an init script, before the page's own scripts), as the GPC specification defines the signal
(https://privacycg.github.io/gpc-spec/). The phase records how the site answered: the US Privacy
string (``__uspapi``), the GPP sections (``__gpp('ping')``), OneTrust's reading of the signal, the
site's ``/.well-known/gpc.json``; its cookies, requests and storage are compared with ``before`` by
the rules (a site honouring GPC sends no sale/share trackers it sends without it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from playwright.async_api import BrowserContext
from playwright.async_api import Error as PlaywrightError

from auditor.browser.phases.extra import ExtraView, run_extra
from auditor.model import GpcEvidence, PhaseName

if TYPE_CHECKING:
    from auditor.browser.collect import SiteCollector
    from auditor.browser.phases.base import SiteState

GPC_INIT = """Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {
  get: () => true, configurable: true, enumerable: true });"""

READ_JS = """async () => {
  const call = (api, cmd, arg) => new Promise(resolve => {
    if (typeof window[api] !== 'function') return resolve(undefined);
    const timer = setTimeout(() => resolve(undefined), 1500);
    try {
      window[api](cmd, arg, (data, ok) => { clearTimeout(timer); resolve(ok === false ? null : data); });
    } catch (e) { clearTimeout(timer); resolve(undefined); }
  });
  const usp = await call('__uspapi', 'getUSPData', 1);
  const gpp = await call('__gpp', 'ping');
  let onetrust = null;
  try {
    if (window.OneTrust && typeof OneTrust.isGpcEnabled === 'function') onetrust = !!OneTrust.isGpcEnabled();
  } catch (e) { /* not OneTrust */ }
  return {
    sent: navigator.globalPrivacyControl === true,
    usp: usp && typeof usp.uspString === 'string' ? usp.uspString : null,
    gppSections: gpp && Array.isArray(gpp.applicableSections) ? gpp.applicableSections.map(String) : [],
    gppNames: gpp && Array.isArray(gpp.supportedAPIs) ? gpp.supportedAPIs.map(String) : [],
    gppString: gpp && typeof gpp.gppString === 'string' ? gpp.gppString : null,
    onetrust,
  };
}"""


@dataclass(frozen=True)
class GpcUnit:
    """A context with the GPC signal; the page is loaded and read, nothing is clicked."""

    produces: tuple[PhaseName, ...] = ("gpc",)

    async def collect(self, collector: SiteCollector, state: SiteState) -> None:
        """Run the gpc context."""
        await run_extra(collector, state, "gpc", _gpc, prepare=send_gpc)


async def send_gpc(context: BrowserContext) -> None:
    """Make ``context`` send the Global Privacy Control signal (header and DOM property)."""
    await context.set_extra_http_headers({"Sec-GPC": "1"})
    await context.add_init_script(GPC_INIT)


async def _gpc(view: ExtraView) -> None:
    try:
        read: dict[str, Any] = await view.page.evaluate(READ_JS)
    except PlaywrightError as exc:
        view.error = f"the GPC state could not be read: {exc.message.splitlines()[0]}"
        return
    status, document = await _well_known(view)
    view.clock.lap("gpc_read")
    sections = tuple(read.get("gppSections") or ()) or tuple(read.get("gppNames") or ())
    view.changes["gpc"] = GpcEvidence(
        sent=bool(read.get("sent")),
        well_known=document,
        well_known_status=status,
        usp_string=read.get("usp"),
        gpp_sections=sections,
        gpp_string=read.get("gppString"),
        onetrust_gpc=read.get("onetrust"),
    )
    view.steps.append(f"sent Sec-GPC: 1; /.well-known/gpc.json: {status if status is not None else 'not fetched'}")


WELL_KNOWN_JS = """async () => {
  try {
    const response = await fetch('/.well-known/gpc.json', {credentials: 'omit', cache: 'no-store'});
    return {status: response.status, body: response.status === 200 ? (await response.text()).slice(0, 4096) : null};
  } catch (e) { return null; }
}"""


async def _well_known(view: ExtraView) -> tuple[int | None, dict[str, Any] | None]:
    """The site's ``/.well-known/gpc.json``, fetched by the page itself (same origin, its network): HTTP status
    and the JSON object, when it is one."""
    try:
        answer = await view.page.evaluate(WELL_KNOWN_JS)
    except PlaywrightError:
        return None, None
    if not answer:
        return None, None
    status, body = int(answer["status"]), answer.get("body")
    if status != 200 or not body:
        return status, None
    try:
        document = json.loads(body)
    except ValueError:
        return status, None
    return status, document if isinstance(document, dict) else None
