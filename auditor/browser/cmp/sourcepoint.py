"""Sourcepoint: the message is a cross-origin iframe served from ``*.privacy-mgmt.com``.

The page defines ``window._sp_`` / ``window._sp_queue`` and inserts
``<div id="sp_message_container_ID"><iframe id="sp_message_iframe_ID">``; inside the frame each
button carries its choice type as a class: ``sp_choice_type_11`` (accept all),
``sp_choice_type_13`` (reject all), ``sp_choice_type_12`` (open the privacy manager). The privacy
manager (``/privacy-manager/index.html`` in the same origin) uses ``sp_choice_type_ACCEPT_ALL``,
``sp_choice_type_REJECT_ALL`` and ``sp_choice_type_SAVE_AND_EXIT``. Stores ``consentUUID`` and
``euconsent-v2``.
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="sourcepoint",
    name="Sourcepoint",
    signature=Signature(
        globals=("_sp_", "_sp_queue"),
        selectors=('[id^="sp_message_container_"]', 'iframe[id^="sp_message_iframe_"]', '[class*="sp_choice_type_"]'),
        cookies=("consentUUID",),
        scripts=("privacy-mgmt.com/", "sourcepoint.mgr.consensu.org"),
        frames=("privacy-mgmt.com/", "sp-prod.net/"),
    ),
    controls={
        "accept": (".sp_choice_type_11", ".sp_choice_type_ACCEPT_ALL"),
        "reject": (".sp_choice_type_13", ".sp_choice_type_REJECT_ALL"),
        "settings": (".sp_choice_type_12",),
        "save": (".sp_choice_type_SAVE_AND_EXIT",),
    },
    consent_keys=("consentUUID", "_sp_user_consent_*", "_sp_v1_consent", "euconsent-v2"),
    roots=(".message-container", ".message", ".privacy-manager-tcfv2", ".pm-main"),
    docs=("https://docs.sourcepoint.com/",),
    notes="Controls live in a cross-origin frame; the top document only holds the container and the iframe.",
)
