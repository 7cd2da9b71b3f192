"""Quantcast Choice (now InMobi Choice): an IAB TCF CMP.

Loaded from ``cmp.quantcast.com/choice/...`` (now ``cmp.inmobi.com/choice/...``); renders
``#qc-cmp2-container`` > ``#qc-cmp2-ui``; the first layer's buttons sit in
``.qc-cmp2-summary-buttons`` and carry ``mode="primary"`` (agree) or ``mode="secondary"`` (more
options, disagree): only the primary one has a stable attribute, the others are told apart by label.
Stores ``euconsent-v2`` (and ``addtl_consent``).
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="quantcast",
    name="Quantcast Choice",
    signature=Signature(
        selectors=("#qc-cmp2-container", "#qc-cmp2-ui", ".qc-cmp2-summary-buttons"),
        scripts=("cmp.quantcast.com/", "quantcast.mgr.consensu.org", "cmp.inmobi.com/"),
    ),
    controls={
        "accept": ('.qc-cmp2-summary-buttons button[mode="primary"]',),
        "reject": ("#disagree-btn",),
        "save": ('.qc-cmp2-buttons-desktop > button[mode="primary"]',),
    },
    consent_keys=("euconsent-v2", "addtl_consent"),
    roots=("#qc-cmp2-ui", "#qc-cmp2-container"),
    docs=("https://help.quantcast.com/",),
    notes=(
        "The summary's secondary buttons ([mode=secondary]: disagree, more options) carry no stable attribute: "
        "classified by their label (autoconsent picks them by position). On the second layer (the purposes), "
        "the desktop primary button saves; older versions have #disagree-btn."
    ),
)
