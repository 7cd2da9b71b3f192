"""Klaro (KIProtect, npm ``klaro``).

Reads ``window.klaroConfig`` and exposes ``window.klaro``; renders ``.klaro`` with a notice
``.cookie-notice`` (``.cn-buttons .cm-btn-success`` "C'est bon" = accept all, ``.cn-decline``,
``.cn-learn-more``) and a modal
``.cookie-modal`` (``.cm-btn-accept-all``, ``.cm-btn-decline``, ``.cm-btn-accept`` = accept the
selection). Cookie ``klaro`` (configurable).
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="klaro",
    name="Klaro",
    signature=Signature(
        globals=("klaro", "klaroConfig"),
        selectors=(".klaro .cookie-notice", ".klaro .cookie-modal"),
        cookies=("klaro",),
        scripts=("klaro",),
    ),
    controls={
        "accept": (".klaro .cm-btn-accept-all", ".klaro .cookie-notice .cn-buttons .cm-btn-success"),
        "reject": (".klaro .cn-decline", ".klaro .cm-btn-decline"),
        "settings": (".klaro .cn-learn-more",),
        "save": (".klaro .cm-btn-accept",),
    },
    consent_keys=("klaro",),
    roots=(".klaro",),
    reopen=("klaro.show",),
    docs=("https://klaro.org/docs/", "https://github.com/klaro-org/klaro-js"),
)
