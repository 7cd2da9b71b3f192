"""Usercentrics: the UI is rendered inside a shadow root.

Loaded from ``app.usercentrics.eu`` (v2, ``#usercentrics-root``) or ``web.cmp.usercentrics.eu`` (v3,
``#usercentrics-cmp-ui``); exposes ``window.UC_UI`` (v2) or ``window.__ucCmp`` (v3). Buttons are
named by ``data-testid`` in v2 (``uc-accept-all-button``, ``uc-deny-all-button``, ``uc-more-button``,
``uc-save-button``) and by ``data-action-type`` in v3 (``accept``, ``deny``, ``more``, ``save``).
Consent is kept in ``localStorage`` (``uc_settings``, ``ucData``).
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="usercentrics",
    name="Usercentrics",
    signature=Signature(
        globals=("UC_UI", "__ucCmp", "usercentrics"),
        selectors=("#usercentrics-root", "#usercentrics-cmp-ui"),
        scripts=("app.usercentrics.eu/", "web.cmp.usercentrics.eu/", "privacy-proxy.usercentrics.eu/"),
    ),
    controls={
        "accept": (
            '[data-testid="uc-accept-all-button"]',
            '[data-action-type="accept"]',
            "#uc-btn-accept-banner",
            "button#accept",
        ),
        "reject": (
            '[data-testid="uc-deny-all-button"]',
            '[data-action-type="deny"]',
            "#uc-btn-deny-banner",
            "button#deny",
        ),
        "settings": ('[data-testid="uc-more-button"]', '[data-action-type="more"]'),
        "save": ('[data-testid="uc-save-button"]', '[data-action-type="save"]'),
    },
    consent_keys=("uc_settings", "ucData"),
    roots=("#usercentrics-root", "#usercentrics-cmp-ui"),
    docs=("https://docs.usercentrics.com/",),
    notes=(
        "The banner lives in an open shadow root: selectors must pierce it. v1 (#usercentrics-button) has "
        "#uc-btn-deny-banner / #uc-btn-accept-banner, v3 buttons #deny / #accept."
    ),
)
