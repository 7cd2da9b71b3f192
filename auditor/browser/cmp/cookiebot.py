"""Cookiebot (Usercentrics' Cybot): ``consent.cookiebot.com/uc.js``.

Exposes ``window.Cookiebot``; the dialog is ``#CybotCookiebotDialog`` with
``#CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll`` (allow all),
``#CybotCookiebotDialogBodyButtonDecline`` (deny),
``#CybotCookiebotDialogBodyLevelButtonCustomize`` (customise) and
``#CybotCookiebotDialogBodyLevelButtonLevelOptinAllowallSelection`` (allow selection). The choice
is stored in the ``CookieConsent`` cookie.
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="cookiebot",
    name="Cookiebot",
    signature=Signature(
        globals=("Cookiebot",),
        selectors=("#CybotCookiebotDialog",),
        cookies=("CookieConsent",),
        scripts=("consent.cookiebot.com/", "consentcdn.cookiebot.com/", "consent.cookiebot.eu/"),
    ),
    controls={
        "accept": ("#CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll", "#CybotCookiebotDialogBodyButtonAccept"),
        "reject": (
            "#CybotCookiebotDialogBodyButtonDecline",
            "#CybotCookiebotDialogBodyLevelButtonLevelOptinDeclineAll",
        ),
        "settings": ("#CybotCookiebotDialogBodyLevelButtonCustomize", "#CybotCookiebotDialogBodyButtonDetails"),
        "save": ("#CybotCookiebotDialogBodyLevelButtonLevelOptinAllowallSelection",),
    },
    consent_keys=("CookieConsent",),
    roots=("#CybotCookiebotDialog",),
    reopen=("Cookiebot.renew",),
    docs=("https://www.cookiebot.com/en/developer/",),
)
