"""Didomi: the most common consent manager on French news sites.

Loaded from ``sdk.privacy-center.org``; exposes ``window.Didomi`` (and reads ``window.didomiConfig``
/ ``didomiOnReady``); renders into ``#didomi-host``: a notice ``#didomi-notice`` with
``#didomi-notice-agree-button``, ``#didomi-notice-disagree-button`` (often worded and styled as the
small "Continuer sans accepter →" link, or as ``.didomi-continue-without-agreeing``) and
``#didomi-notice-learn-more-button``, then a preferences pop-in ``#didomi-popup``. Stores its choice
in the ``didomi_token`` cookie (and ``euconsent-v2`` when TCF is on).
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="didomi",
    name="Didomi",
    signature=Signature(
        globals=("Didomi", "didomiOnReady"),
        selectors=("#didomi-host", "#didomi-notice", "#didomi-popup"),
        cookies=("didomi_token",),
        scripts=("sdk.privacy-center.org/",),
    ),
    controls={
        "accept": ("#didomi-notice-agree-button",),
        "reject": ("#didomi-notice-disagree-button", ".didomi-continue-without-agreeing"),
        "settings": ("#didomi-notice-learn-more-button",),
    },
    consent_keys=("didomi_token", "euconsent-v2"),
    roots=("#didomi-host", "#didomi-popup", "#didomi-notice"),
    reopen=("Didomi.preferences.show",),
    docs=("https://developers.didomi.io/cmp/web-sdk/consent-notice/notice",),
    notes="The disagree control is frequently a small text link in a corner of the notice.",
)
