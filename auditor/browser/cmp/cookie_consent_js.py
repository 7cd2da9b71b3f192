"""cookie-consent-js (npm ``cookie-consent-js``, v2, by shaack): a dialog from translation files.

``new CookieConsent({...})`` fetches ``<contentUrl>/<lang>.json`` and appends
``#cookieConsentModal`` (``.cookie-consent-modal``) with ``.btn-accept-necessary`` (only the
technically necessary cookies) and ``.btn-accept-all``. The choice is the cookie
``cookie-consent-tracking-allowed`` (``true`` / ``false``; renamable with ``cookieName``). Its
global ``CookieConsent`` is a constructor, unlike vanilla-cookieconsent's ``CookieConsent.run``.
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="cookie-consent-js",
    name="cookie-consent-js",
    signature=Signature(
        selectors=("#cookieConsentModal", ".cookie-consent-modal"),
        cookies=("cookie-consent-tracking-allowed",),
        scripts=("cookie-consent-js",),
    ),
    controls={
        "accept": (".cookie-consent-modal .btn-accept-all",),
        "reject": (".cookie-consent-modal .btn-accept-necessary",),
    },
    consent_keys=("cookie-consent-tracking-allowed",),
    roots=(".cookie-consent-modal",),
    docs=("https://github.com/shaack/cookie-consent-js#readme",),
)
