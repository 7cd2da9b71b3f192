"""Site policies drawn from what the site itself declares (``consent-audit policy draft``, ``--policy auto``).

A site states its policy in three places, each read by one module: the banner's text and its
**promises** (:mod:`.promises`), the consent manager's own **configuration** (:mod:`.cmpconfig`),
and the cookie-policy page's **tables** (:mod:`.tables`); :mod:`.words` reads durations and categories
in French, English and German. :mod:`.draft` joins them into a :class:`~.draft.DraftedPolicy` (pure,
testable on saved HTML), :mod:`.write` turns it into a commented rule pack, and :mod:`.visit` reads a
live page with the auditor's own browser session and consent scan.
"""

from auditor.declared.draft import DraftedPolicy, DraftInputs, PolicyPage, draft_policy
from auditor.declared.write import pack_data, pack_yaml

__all__ = ["DraftInputs", "DraftedPolicy", "PolicyPage", "draft_policy", "pack_data", "pack_yaml"]
