"""Porsche's cookie-consent-banner (npm ``@porscheofficial/cookie-consent-banner``, v4): a web component.

A Stencil custom element ``<cookie-consent-banner>`` with an open shadow root: ``.btn_accept_all``
("accept and continue", or "select all" once the settings are shown), ``.btn_essentials_only``
(only the mandatory categories) and, on its settings view, ``.btn_persist_selection``. It stores the
accepted category keys, comma-separated, in the cookie ``cookies_accepted_categories`` (renamable with
``cookie-name``) and dispatches ``cookie_consent_preferences_updated`` / ``_restored``.
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="porsche-cookie-consent-banner",
    name="Porsche cookie-consent-banner",
    signature=Signature(
        selectors=("cookie-consent-banner",),
        cookies=("cookies_accepted_categories",),
        scripts=("@porscheofficial/cookie-consent-banner", "cookie-consent-banner.esm.js"),
    ),
    controls={
        "accept": (".btn_accept_all",),
        "reject": (".btn_essentials_only",),
        "save": (".btn_persist_selection",),
    },
    consent_keys=("cookies_accepted_categories",),
    roots=("cookie-consent-banner",),
    docs=("https://github.com/porscheofficial/cookie-consent-banner#readme",),
)
