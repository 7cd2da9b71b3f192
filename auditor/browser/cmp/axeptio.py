"""Axeptio: a French consent widget (``static.axept.io/sdk.js``).

Configured by ``window.axeptioSettings``, callbacks queued on ``window._axcb``; the widget
(``#axeptio_overlay`` / ``.axeptio_widget``) has ``#axeptio_btn_acceptAll`` ("OK pour moi"),
``#axeptio_btn_dismiss`` ("Non merci") and ``#axeptio_btn_configure`` ("Je choisis"). Cookies
``axeptio_cookies``, ``axeptio_authorized_vendors``, ``axeptio_all_vendors``.
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="axeptio",
    name="Axeptio",
    signature=Signature(
        globals=("axeptioSettings", "_axcb", "openAxeptioCookies"),
        selectors=("#axeptio_overlay", ".axeptio_widget", ".axeptio_mount"),
        cookies=("axeptio_cookies", "axeptio_authorized_vendors"),
        scripts=("static.axept.io/",),
    ),
    controls={
        "accept": ("#axeptio_btn_acceptAll",),
        "reject": ("#axeptio_btn_dismiss", "button.ax-discardButton"),
        "settings": ("#axeptio_btn_configure",),
    },
    consent_keys=("axeptio_cookies", "axeptio_authorized_vendors"),
    roots=("#axeptio_overlay", ".axeptio_widget"),
    docs=("https://support.axeptio.eu/",),
    notes="Newer widgets name the refusal button.ax-discardButton (autoconsent's rule clicks it too).",
)
