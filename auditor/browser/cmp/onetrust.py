"""OneTrust (and CookiePro, its small-business edition).

Loaded from ``cdn.cookielaw.org`` (``otSDKStub.js``); exposes ``window.OneTrust`` / ``window.Optanon``
and calls the site's ``OptanonWrapper``. DOM: ``#onetrust-consent-sdk`` holding the banner
``#onetrust-banner-sdk`` (``#onetrust-accept-btn-handler``, ``#onetrust-reject-all-handler`` when the
site shows one, ``#onetrust-pc-btn-handler`` for the preference centre) and the preference centre
``#onetrust-pc-sdk`` (``#accept-recommended-btn-handler``, ``.ot-pc-refuse-all-handler``,
``.save-preference-btn-handler``, ``input.category-switch-handler`` toggles). Cookies
``OptanonConsent`` and ``OptanonAlertBoxClosed``.
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="onetrust",
    name="OneTrust",
    signature=Signature(
        globals=("OneTrust", "Optanon"),
        selectors=("#onetrust-consent-sdk", "#onetrust-banner-sdk", ".optanon-alert-box-wrapper"),
        cookies=("OptanonConsent", "OptanonAlertBoxClosed"),
        scripts=("cdn.cookielaw.org/", "cookiepro.com/", "optanon.blob.core.windows.net/"),
    ),
    controls={
        "accept": ("#onetrust-accept-btn-handler", "#accept-recommended-btn-handler"),
        "reject": ("#onetrust-reject-all-handler", ".ot-pc-refuse-all-handler"),
        "settings": ("#onetrust-pc-btn-handler",),
        "save": (".save-preference-btn-handler",),
    },
    consent_keys=("OptanonConsent", "OptanonAlertBoxClosed", "eupubconsent-v2"),
    roots=("#onetrust-consent-sdk",),
    reopen=("OneTrust.ToggleInfoDisplay",),
    reopen_controls=("#ot-sdk-btn-floating button", ".ot-sdk-show-settings"),
    docs=("https://developer.onetrust.com/onetrust/docs/javascript-api",),
    notes="Many sites configure the banner without a reject button: refusal then sits in the preference centre.",
)
