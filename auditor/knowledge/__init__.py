"""The knowledge base of trackers and cookies, and the classification of a site's evidence.

>>> from auditor.knowledge import KnowledgeBase
>>> kb = KnowledgeBase.builtin()
>>> kb.classify_host("stats.g.doubleclick.net").category
'advertising'
>>> kb.classify_cookie("_ga_ABC123", ".lemonde.fr").vendor
'Google Analytics'
>>> from auditor.knowledge import value_shape
>>> value_shape("3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c").identifier
True

Data format, categories, sources policy and how to extend it: ``docs/knowledge-base.md``.
"""

from auditor.knowledge.base import KnowledgeBase
from auditor.knowledge.behaviour import judge_cookie, judge_request, judge_storage
from auditor.knowledge.classify import classify_phase, classify_site
from auditor.knowledge.entries import (
    CATEGORIES,
    DATA_DIR,
    LAYERS,
    RESULT_CATEGORIES,
    UNCLASSIFIED_IDENTIFIER,
    UNKNOWN,
    UNKNOWN_CATEGORY,
    CookieEntry,
    TrackerEntry,
    lifetime_days,
)
from auditor.knowledge.shape import value_shape

__all__ = [
    "CATEGORIES",
    "DATA_DIR",
    "LAYERS",
    "RESULT_CATEGORIES",
    "UNCLASSIFIED_IDENTIFIER",
    "UNKNOWN",
    "UNKNOWN_CATEGORY",
    "CookieEntry",
    "KnowledgeBase",
    "TrackerEntry",
    "classify_phase",
    "classify_site",
    "judge_cookie",
    "judge_request",
    "judge_storage",
    "lifetime_days",
    "value_shape",
]
