"""DP Consent (npm ``@demos-europe/dp-consent``): DEMOS' small consent slider, in German.

``DpConsent.dpConsent({...})`` appends a ``.dp-consent-slider`` whose buttons carry
``data-dp-consent``: ``accept_all`` (« Zustimmen »), ``decline_optional`` (« Ablehnen »),
``change_settings`` (« Überprüfen », a ``.dp-consent-modal`` with one checkbox for the optional
cookies and ``save_settings``). The choice is the cookie ``dp-cookie-consent`` (``true`` / ``false``).
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="dp-consent",
    name="DP Consent",
    signature=Signature(
        globals=("DpConsent",),
        selectors=(".dp-consent-slider", ".dp-consent-modal"),
        cookies=("dp-cookie-consent",),
        scripts=("dp-consent",),
    ),
    controls={
        "accept": ('[data-dp-consent="accept_all"]',),
        "reject": ('[data-dp-consent="decline_optional"]',),
        "settings": ('[data-dp-consent="change_settings"]',),
        "save": ('[data-dp-consent="save_settings"]',),
    },
    consent_keys=("dp-cookie-consent",),
    roots=(".dp-consent-slider", ".dp-consent-modal"),
    docs=("https://www.npmjs.com/package/@demos-europe/dp-consent",),
)
