"""Fields comparing what was observed with what the site declares (a pack's ``declarations:`` section).

The declarations a rule sees are those of its pack and of the packs it extends
(:mod:`auditor.policy.declarations`), carried by the evaluation :class:`~.core.Context`. A field that
needs a list the pack does not declare, or declared but could not read, raises
:class:`~.core.MissingEvidence`: the rule is *not evaluated*, never passed.
"""

from __future__ import annotations

from typing import Any

from auditor.policy.declarations import TECHNICAL_CATEGORIES, DeclarationList, Declarations, DeclaredCookie, cite
from auditor.policy.fields.core import FieldSpec, Item, MissingEvidence
from auditor.policy.fields.evidence import classification_of

DECLARED_FIELD_NAMES = frozenset(
    {
        "declared",
        "declared_category",
        "declared_lifetime_days",
        "lifetime_over_declared",
        "category_contradicts_declaration",
        "vendor_declared",
        "declared_vendor",
        "undeclared_vendor_consents",
        "declaration",
    }
)
"""Fields that read a pack's declarations (a rule using one needs a ``declarations:`` section)."""

_TRACKING = frozenset({"advertising", "analytics", "social", "unclassified-identifier"})


def _declarations(item: Item, what: DeclarationList | None = None) -> Declarations:
    found: Declarations | None = item.ctx.declarations
    if found is None:
        raise MissingEvidence("the rule's pack has no declarations: section")
    if what is not None:
        problem = found.problem(what)
        if problem is not None:
            raise MissingEvidence(problem)
    return found


def _cookie_match(item: Item) -> DeclaredCookie | None:
    return _declarations(item).cookie(item.obj.name, item.obj.domain)


def _declared(item: Item) -> bool:
    return _declarations(item, "cookies").cookie(item.obj.name, item.obj.domain) is not None


def _over(item: Item) -> bool:
    match = _cookie_match(item)
    if match is None:
        return False
    return _declarations(item).over_lifetime(item.obj.lifetime_days, match.lifetime_days)


def _contradicts(item: Item) -> bool:
    match = _cookie_match(item)
    c = classification_of(item)
    if match is None or match.category is None or c is None:
        return False
    if match.category in TECHNICAL_CATEGORIES:
        return c.tracker or c.category in _TRACKING
    if match.category == "analytics":
        return c.category in ("advertising", "social")
    return False


def _cookie_citation(item: Item) -> str | None:
    decl = _declarations(item)
    match = decl.cookie(item.obj.name, item.obj.domain)
    if match is not None:
        return cite(match.source) if match.source else f"declared in pack {decl.pack!r}"
    return decl.list_citation("cookies") if decl.cookies is not None else None


def _product(item: Item) -> str | None:
    c = classification_of(item)
    return c.vendor if c is not None else None


def _vendor_declared(item: Item) -> bool:
    if item.obj.party == "first":
        return True
    return _declarations(item, "vendors").vendor(item.obj.host, _product(item)) is not None


def _declared_vendor(item: Item) -> str | None:
    vendor = _declarations(item).vendor(item.obj.host, _product(item))
    return vendor.name if vendor is not None else None


def _vendor_citation(item: Item) -> str | None:
    decl = _declarations(item)
    vendor = decl.vendor(item.obj.host, _product(item))
    if vendor is not None:
        return cite(vendor.source) if vendor.source else f"declared in pack {decl.pack!r}"
    return decl.list_citation("vendors") if decl.vendors is not None else None


def _undeclared_tcf(item: Item) -> tuple[int, ...]:
    declared = _declarations(item, "tcf_vendors").tcf_ids()
    return tuple(v for v in item.obj.vendor_consents if v not in declared)


def _declared_attr(name: str) -> Any:
    def get(item: Item) -> Any:
        match = _cookie_match(item)
        return getattr(match, name) if match is not None else None

    return get


_CITATION_DOC = (
    "Where the matching declaration was read (URL and quote or table row), or, for an undeclared subject, the"
    " declared list it is missing from."
)

DECLARED_COOKIE_FIELDS: list[FieldSpec] = [
    FieldSpec(
        "declared",
        "bool",
        "The site declares this cookie (name and domain match an entry of the pack's `declarations.cookies`);"
        " not evaluable when the pack declares no cookie list or could not read it.",
        _declared,
    ),
    FieldSpec(
        "declared_category",
        "string",
        "Category the site declares for it (`necessary`, `analytics`, ...); empty when undeclared or unstated.",
        _declared_attr("category"),
    ),
    FieldSpec(
        "declared_lifetime_days",
        "number",
        "Lifetime the site declares for it, in days (0: session); empty when undeclared or unstated.",
        _declared_attr("lifetime_days"),
    ),
    FieldSpec(
        "lifetime_over_declared",
        "bool",
        "It lives longer than declared, beyond the pack's tolerance (`declarations.lifetime_tolerance`, default"
        " 10 % or 1 day, whichever is larger); false when undeclared, or no lifetime is stated or observed.",
        _over,
    ),
    FieldSpec(
        "category_contradicts_declaration",
        "bool",
        "Declared necessary, functional or consent but classified as a tracker (or analytics but classified"
        " advertising or social).",
        _contradicts,
    ),
    FieldSpec("declaration", "string", _CITATION_DOC, _cookie_citation),
]

DECLARED_REQUEST_FIELDS: list[FieldSpec] = [
    FieldSpec(
        "vendor_declared",
        "bool",
        "The request goes to the site itself or to a vendor it declares (`declarations.vendors` domains); not"
        " evaluable when the pack declares no vendor list or could not read it.",
        _vendor_declared,
    ),
    FieldSpec("declared_vendor", "string", "Name of the declared vendor the host belongs to.", _declared_vendor),
    FieldSpec("declaration", "string", _CITATION_DOC, _vendor_citation),
]

DECLARED_TCF_FIELDS: list[FieldSpec] = [
    FieldSpec(
        "undeclared_vendor_consents",
        "intset",
        "Vendor ids with consent signalled that the site does not declare (`tcf_id` of `declarations.vendors`);"
        " not evaluable when the pack declares no TCF vendor id.",
        _undeclared_tcf,
    ),
]
