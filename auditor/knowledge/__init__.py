"""The knowledge base of trackers and cookies, and the classification of a site's evidence.

>>> from auditor.knowledge import KnowledgeBase
>>> kb = KnowledgeBase.builtin()
>>> kb.classify_host("stats.g.doubleclick.net").category
'advertising'
>>> kb.classify_cookie("_ga_ABC123", ".lemonde.fr").vendor
'Google Analytics'

Data format, categories, sources policy and how to extend it: ``docs/knowledge-base.md``.
"""

from auditor.knowledge.base import (
    CATEGORIES,
    DATA_DIR,
    UNKNOWN,
    UNKNOWN_CATEGORY,
    CookieEntry,
    KnowledgeBase,
    TrackerEntry,
    lifetime_days,
)
from auditor.knowledge.classify import classify_phase, classify_site

__all__ = [
    "CATEGORIES",
    "DATA_DIR",
    "UNKNOWN",
    "UNKNOWN_CATEGORY",
    "CookieEntry",
    "KnowledgeBase",
    "TrackerEntry",
    "classify_phase",
    "classify_site",
    "lifetime_days",
]
