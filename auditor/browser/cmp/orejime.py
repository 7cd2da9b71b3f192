"""Orejime (npm ``orejime``, v3): an accessible consent manager derived from Klaro.

Reads ``window.orejimeConfig`` and exposes ``window.orejime``; the banner ``.orejime-Banner`` has
``.orejime-Banner-saveButton`` (accept), ``.orejime-Banner-declineButton`` and
``.orejime-Banner-learnMoreButton``; the modal ``.orejime-Modal`` has accept-all / decline-all
buttons and ``.orejime-Modal-saveButton``. Third-party code waits in ``<template data-purpose>``.
Cookie ``orejime``.
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="orejime",
    name="Orejime",
    signature=Signature(
        globals=("orejime", "orejimeConfig"),
        selectors=(".orejime-Banner", ".orejime-Modal", "#orejime"),
        cookies=("orejime",),
        scripts=("orejime",),
    ),
    controls={
        "accept": (".orejime-Banner-saveButton", ".orejime-Notice-saveButton"),
        "reject": (".orejime-Banner-declineButton", ".orejime-Notice-declineButton"),
        "settings": (".orejime-Banner-learnMoreButton", ".orejime-Notice-learnMoreButton"),
        "save": (".orejime-Modal-saveButton",),
    },
    consent_keys=("orejime",),
    roots=(".orejime-Banner", ".orejime-Notice", ".orejime-Modal", "#orejime"),
    reopen=("orejime.prompt", "orejime.show"),
    docs=("https://github.com/boscop-fr/orejime#readme",),
)
