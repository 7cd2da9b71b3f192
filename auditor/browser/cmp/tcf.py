"""The IAB TCF v2 CMP API: ``window.__tcfapi`` (or a ``__tcfapiLocator`` frame).

Generic: every TCF consent manager implements it, so it names the CMP only when no specific adapter
recognises one (``Banner.cmp == "tcf"``). The scan pings the API (``__tcfapi('ping', 2, cb)``
answers synchronously in the official stub and ``@iabtechlabtcf/cmpapi``) and reports the CMP id it
registered with the IAB; :data:`KNOWN_CMP_IDS` turns a few well-known ids into adapter ids.
"""

from collections.abc import Mapping

from auditor.browser.cmp.interface import CmpAdapter, Signature

KNOWN_CMP_IDS: Mapping[int, str] = {
    5: "usercentrics",
    6: "sourcepoint",
    7: "didomi",
    10: "quantcast",
    28: "onetrust",
    134: "cookiebot",
}
"""CMP ids of the IAB's public CMP list (``cmp-list.json``) for consent managers with an adapter."""

ADAPTER = CmpAdapter(
    id="tcf",
    name="IAB TCF v2 API",
    signature=Signature(
        globals=("__tcfapi",),
        selectors=('iframe[name="__tcfapiLocator"]',),
        cookies=("euconsent-v2",),
    ),
    consent_keys=("euconsent-v2",),
    generic=True,
    docs=(
        "https://github.com/InteractiveAdvertisingBureau/GDPR-Transparency-and-Consent-Framework/"
        "blob/master/TCFv2/IAB%20Tech%20Lab%20-%20CMP%20API%20v2.md",
    ),
    notes="Recognised from the API; its controls are found by the CMP's own adapter or by label.",
)
