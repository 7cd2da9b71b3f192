"""Mozilla's consent banner (npm ``@mozmeao/consent-banner``, with ``@mozmeao/cookie-helper``).

The library is UI-independent: the site writes the recommended markup, an
``<aside id="moz-consent-banner">`` with ``#moz-consent-banner-button-accept`` and
``#moz-consent-banner-button-reject``, and shows it on the ``mozConsentOpen`` event
(``window.MozConsentBanner``). The choice is the ``moz-consent-pref`` cookie, JSON such as
``{"analytics": false, "preference": false}``, announced by ``mozConsentStatus``.
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="mozilla-consent-banner",
    name="Mozilla consent banner",
    signature=Signature(
        globals=("MozConsentBanner",),
        selectors=("#moz-consent-banner",),
        cookies=("moz-consent-pref",),
        scripts=("@mozmeao/consent-banner",),
    ),
    controls={
        "accept": ("#moz-consent-banner-button-accept",),
        "reject": ("#moz-consent-banner-button-reject",),
    },
    consent_keys=("moz-consent-pref",),
    roots=("#moz-consent-banner",),
    docs=("https://github.com/mozmeao/consent-banner#readme",),
)
