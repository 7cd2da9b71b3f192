"""HTML Bricks' cookie-law banner (npm ``@htmlbricks/hb-cookie-law-banner``): a Svelte web component.

``<hb-cookie-law-banner>`` renders, in an open shadow root, a fixed bar ``#cookiealert`` with an
accept button and, with ``allowdecline="yes"``, a decline button; neither has a stable id or
class of its own (Bulma's ``button is-primary`` / ``is-light``), so they are read by their labels
inside the component. The choice is ``localStorage.cookielaw`` (``yes`` / ``no``), announced by the
``acceptCookieLaw`` event.
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="hb-cookie-law-banner",
    name="HTML Bricks cookie-law banner",
    signature=Signature(
        selectors=("hb-cookie-law-banner",),
        scripts=("@htmlbricks/hb-cookie-law-banner",),
    ),
    consent_keys=("cookielaw",),
    roots=("hb-cookie-law-banner",),
    docs=("https://www.npmjs.com/package/@htmlbricks/hb-cookie-law-banner",),
)
