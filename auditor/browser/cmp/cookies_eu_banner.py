"""Cookies EU banner (npm ``cookies-eu-banner``, v3): a small library that shows the site's own banner.

The site writes the banner in ``<template id="cookies-eu-banner-template">``; the global build
(``window.CookiesEuBanner.createCookiesBanner``) prepends its ``#cookies-eu-banner`` element to the
body, with ``#cookies-eu-accept`` and ``#cookies-eu-reject``, and stores the answer in the
``hasConsent`` cookie (``true`` / ``false``; ``localStorage`` with ``useLocalStorage``).
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="cookies-eu-banner",
    name="Cookies EU banner",
    signature=Signature(
        globals=("CookiesEuBanner",),
        selectors=("#cookies-eu-banner", "#cookies-eu-banner-template"),
        scripts=("cookies-eu-banner",),
    ),
    controls={"accept": ("#cookies-eu-accept",), "reject": ("#cookies-eu-reject",)},
    consent_keys=("hasConsent",),
    roots=("#cookies-eu-banner",),
    docs=("https://github.com/Alex-D/Cookies-EU-banner#readme",),
)
