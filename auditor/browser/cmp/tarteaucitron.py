"""tarteaucitron.js: the open-source French consent manager (npm ``tarteaucitronjs``).

Exposes ``window.tarteaucitron``; renders ``#tarteaucitronRoot`` with the banner
``#tarteaucitronAlertBig`` (``#tarteaucitronPersonalize2`` "Tout accepter",
``#tarteaucitronAllDenied2`` "Tout refuser" when ``DenyAllCta`` is on, ``#tarteaucitronCloseAlert``
"Personnaliser") and the panel (``#tarteaucitronAllAllowed``, ``#tarteaucitronAllDenied``). Its
``tarteaucitron`` cookie exists before any choice (services at ``wait``), which is not consent.
"""

from auditor.browser.cmp.interface import CmpAdapter, Signature

ADAPTER = CmpAdapter(
    id="tarteaucitron",
    name="tarteaucitron.js",
    signature=Signature(
        globals=("tarteaucitron",),
        selectors=("#tarteaucitronRoot",),
        cookies=("tarteaucitron",),
        scripts=("tarteaucitron",),
    ),
    controls={
        "accept": ("#tarteaucitronPersonalize2", "#tarteaucitronAllAllowed"),
        "reject": ("#tarteaucitronAllDenied2", "#tarteaucitronAllDenied"),
        "settings": ("#tarteaucitronCloseAlert",),
    },
    consent_keys=("tarteaucitron",),
    roots=("#tarteaucitronRoot",),
    reopen=("tarteaucitron.userInterface.openPanel",),
    reopen_controls=("#tarteaucitronManager", "#tarteaucitronIcon button", "#tarteaucitronAlertSmall button"),
    docs=("https://github.com/AmauriC/tarteaucitron.js#readme", "https://tarteaucitron.io/en/install/"),
    notes=(
        "Writes its cookie with 'wait' values before any choice. autoconsent's rule for older versions opens "
        "the panel with #tarteaucitronPersonalize (an accept-all button in recent versions: the auditor reads "
        "its label) and closes it with #tarteaucitronClosePanel after denying."
    ),
)
