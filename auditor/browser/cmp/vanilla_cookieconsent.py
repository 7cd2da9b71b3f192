"""vanilla-cookieconsent (orestbida, npm ``vanilla-cookieconsent``), v3 and v2.

v3 exposes ``window.CookieConsent`` (``CookieConsent.run(config)``) and renders ``#cc-main`` with a
consent modal (``.cm``) and a preferences modal (``.pm``) whose buttons carry ``data-role``:
``all`` (accept all), ``necessary`` (reject all), ``show`` (preferences), ``save``. v2 used
``initCookieConsent()`` and ``#cc_div`` (``#c-p-bn``, ``#s-all-bn``, ``#s-rall-bn``, ``#s-sv-bn``).
Cookie ``cc_cookie``. It hides from automation (``navigator.webdriver``) unless ``hideFromBots: false``.
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="vanilla-cookieconsent",
    name="vanilla-cookieconsent",
    signature=Signature(
        globals=("CookieConsent.run", "initCookieConsent"),
        selectors=("#cc-main", "#cc_div"),
        cookies=("cc_cookie",),
        scripts=("vanilla-cookieconsent", "orestbida"),
    ),
    controls={
        "accept": ('#cc-main [data-role="all"]', "#c-p-bn", "#s-all-bn"),
        "reject": ('#cc-main [data-role="necessary"]', "#s-rall-bn"),
        "settings": ('#cc-main [data-role="show"]',),
        "save": ('#cc-main [data-role="save"]', "#s-sv-bn"),
    },
    consent_keys=("cc_cookie",),
    roots=("#cc-main", "#cc_div"),
    reopen=("CookieConsent.showPreferences",),
    reopen_controls=('[data-cc="show-preferencesModal"]',),
    docs=("https://cookieconsent.orestbida.com/reference/configuration-reference.html",),
    notes=(
        "Hides its banner from browsers that report navigator.webdriver unless hideFromBots is false. v2's "
        "secondary button #c-s-bn opens the settings or accepts only the necessary, as the site configures it: "
        "classified by its label (autoconsent's rule takes it for settings)."
    ),
)
