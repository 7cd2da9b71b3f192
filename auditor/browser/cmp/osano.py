"""Osano: the open-source ``cookieconsent`` v3 (npm ``cookieconsent``) and Osano's hosted CMP.

The library exposes ``window.cookieconsent.initialise(options)``; its banner ``.cc-window`` holds
``.cc-allow``, ``.cc-deny`` (opt-in) or ``.cc-dismiss`` (inform only), ``<a role="button">``
elements styled by the theme (in the opt-in layout the deny control is often a plain text link).
Cookie ``cookieconsent_status`` (``allow``, ``deny``, ``dismiss``). The hosted CMP exposes
``window.Osano`` and renders ``.osano-cm-window`` (``.osano-cm-accept-all``, ``.osano-cm-denyAll``,
``.osano-cm-save``); cookie ``osano_consentmanager``.
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="osano",
    name="Osano",
    signature=Signature(
        globals=("cookieconsent.initialise", "Osano"),
        selectors=(".cc-window", ".osano-cm-window", ".osano-cm-dialog"),
        cookies=("cookieconsent_status", "osano_consentmanager"),
        scripts=("cmp.osano.com/", "cookieconsent.min.js"),
    ),
    controls={
        "accept": (".cc-window .cc-allow", ".cc-window .cc-dismiss", ".osano-cm-accept-all", ".osano-cm-accept"),
        "reject": (".cc-window .cc-deny", ".osano-cm-denyAll", ".osano-cm-deny"),
        "save": (".osano-cm-save",),
    },
    consent_keys=("cookieconsent_status", "osano_consentmanager"),
    roots=(".cc-window", ".osano-cm-window", ".osano-cm-dialog"),
    docs=("https://www.osano.com/cookieconsent/documentation/javascript-api", "https://developers.osano.com/"),
    notes=(
        "Without a deny control, autoconsent closes Osano's bar (.osano-cm-dialog__close) or hides it; the "
        "auditor never counts closing or hiding a banner as a refusal."
    ),
)
