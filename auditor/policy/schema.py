"""The JSON Schema of rule packs, generated from the field registry.

The shipped copy, ``auditor/schemas/rulepack.schema.json``, is what editors use for completion
(``# yaml-language-server: $schema=...``); a test checks it equals :func:`rulepack_schema`.
Regenerate it (and docs/rules.md) with ``python -m auditor.policy``.

The schema checks structure (unknown keys anywhere are errors); what depends on the subject kind
(which matchers apply, enum values, regexes, message placeholders) is checked by the loader.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from auditor.model import PHASES, SEVERITIES
from auditor.policy.conditions import INTSET_OPS, NUMBER_OPS
from auditor.policy.declarations import DECLARATION_LISTS, DECLARED_CATEGORIES
from auditor.policy.fields import FIELDS, KIND_DOCS, SUBJECT_KINDS, FieldType

RULE_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
"""Rule and pack ids: lower case, digits, ``.``, ``_`` and ``-``."""

SOURCE_KEYS: dict[str, str] = {
    "document": "Name of the text (regulation, guideline, report, site policy).",
    "article": "Article or section (`Art. 5(3)`).",
    "paragraph": "Paragraph number(s).",
    "url": "Where the text can be read.",
    "quote": "The sentence the rule implements, verbatim.",
    "policy_url": "For a site policy: the URL of the site's own cookie policy.",
    "date": "Date of the text.",
    "note": "How the rule reads the text (what a browser can and cannot check).",
}

_STRINGS = {"type": "array", "items": {"type": "string"}, "minItems": 1}


def _either(obj: dict[str, Any], other: dict[str, Any], doc: str | None = None) -> dict[str, Any]:
    """``obj`` when the value is a mapping, ``other`` otherwise (clearer errors than ``anyOf``)."""
    out: dict[str, Any] = {"if": {"type": "object"}, "then": obj, "else": other}
    if doc:
        out = {"description": doc, **out}
    return out


def _string_matcher(doc: str) -> dict[str, Any]:
    one_or_many = {"anyOf": [{"type": "string"}, _STRINGS]}
    ops = {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "properties": {
            "equals": {"type": "string"},
            "in": _STRINGS,
            "glob": one_or_many,
            "regex": one_or_many,
            "prefix": one_or_many,
            "suffix": one_or_many,
            "contains": one_or_many,
            "exists": {"type": "boolean"},
        },
    }
    return _either(ops, {"type": ["string", "array"], "items": {"type": "string"}, "minItems": 1}, doc)


def _matcher(ftype: FieldType, doc: str, choices: tuple[str, ...] = ()) -> dict[str, Any]:
    if ftype in ("string", "domain"):
        return _string_matcher(doc)
    if ftype == "enum":
        one = {"enum": list(choices)}
        return {
            "description": doc,
            "if": {"type": "array"},
            "then": {"type": "array", "items": one, "minItems": 1},
            "else": one,
        }
    if ftype == "bool":
        return {"description": doc, "type": "boolean"}
    if ftype == "number":
        props: dict[str, Any] = {op: {"type": "number"} for op in NUMBER_OPS if op != "exists"}
        props["exists"] = {"type": "boolean"}
        ops = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": props}
        return _either(ops, {"type": "number"}, doc)
    if ftype == "intset":
        ints = {"type": "array", "items": {"type": "integer"}}
        return {
            "description": doc,
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {op: ({"type": "boolean"} if op == "empty" else ints) for op in INTSET_OPS},
        }
    return {"description": doc, "$ref": "#/$defs/condition-control"}


def _condition_schema(kind: str) -> dict[str, Any]:
    ref = {"$ref": f"#/$defs/condition-{kind}"}
    props: dict[str, Any] = {
        "and": {"description": "All of these conditions.", "type": "array", "items": ref, "minItems": 1},
        "or": {"description": "Any of these conditions.", "type": "array", "items": ref, "minItems": 1},
        "not": {"description": "This condition is false.", **ref},
    }
    for name, spec in FIELDS[kind].items():
        props[name] = _matcher(spec.type, spec.doc, spec.choices)
    return {
        "description": f"Matchers over {kind} fields (ANDed, in order) and and/or/not. {KIND_DOCS[kind]}",
        "type": "object",
        "additionalProperties": False,
        "properties": props,
    }


def _source_schema() -> dict[str, Any]:
    one = {
        "type": "object",
        "additionalProperties": False,
        "required": ["document"],
        "properties": {k: {"type": "string", "description": v} for k, v in SOURCE_KEYS.items()},
    }
    return {
        "description": "What the rule implements: one citation or a list (the first is the main one).",
        "if": {"type": "array"},
        "then": {"type": "array", "items": one, "minItems": 1},
        "else": one,
    }


def _expect_schema() -> dict[str, Any]:
    counts = {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "maxProperties": 1,
        "properties": {
            "at_most": {"type": "integer", "minimum": 0},
            "at_least": {"type": "integer", "minimum": 1},
        },
    }
    return _either(counts, {"enum": ["absent", "present"]}, "absent (default), present, {at_most: N} or {at_least: N}.")


def _declarations_schema() -> dict[str, Any]:
    source = {"$ref": "#/$defs/source"}
    cookie = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {
            "name": {
                "description": "Cookie name: exact, a glob (`_ga_*`), or `{regex: ...}` (searched).",
                "if": {"type": "object"},
                "then": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["regex"],
                    "properties": {"regex": {"type": "string", "minLength": 1}},
                },
                "else": {"type": "string", "minLength": 1},
            },
            "domain": {"type": "string", "minLength": 1, "description": "Declared domain (subdomains match)."},
            "category": {"enum": list(DECLARED_CATEGORIES), "description": "Declared purpose category."},
            "lifetime_days": {"type": "number", "minimum": 0, "description": "Declared lifetime in days (0: session)."},
            "source": source,
        },
    }
    vendor = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "domains": {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True},
            "tcf_id": {"type": "integer", "minimum": 1, "description": "IAB TCF vendor id."},
            "source": source,
        },
    }
    unreadable = {
        "type": "object",
        "additionalProperties": False,
        "required": ["what", "reason"],
        "properties": {"what": {"enum": list(DECLARATION_LISTS)}, "reason": {"type": "string", "minLength": 1}},
    }
    return {
        "description": "What the site declares (its cookie table, banner, consent manager): see docs/rules.md.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "source": source,
            "lifetime_tolerance": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "ratio": {"type": "number", "minimum": 0, "description": "Default 0.1 (10 %)."},
                    "days": {"type": "number", "minimum": 0, "description": "Default 1."},
                },
                "description": "How much longer than declared a cookie may live (the larger of the two).",
            },
            "cookies": {"type": "array", "items": cookie, "description": "Declared cookies."},
            "vendors": {"type": "array", "items": vendor, "description": "Declared vendors and services."},
            "unreadable": {
                "type": "array",
                "items": unreadable,
                "description": "Lists that could not be read: rules needing them are not evaluated (outcome error).",
            },
        },
    }


def _rule_props() -> dict[str, Any]:
    return {
        "title": {"type": "string", "minLength": 1, "description": "Short statement of what the rule requires."},
        "description": {"type": "string", "description": "Longer explanation (Markdown), shown in docs."},
        "severity": {"enum": list(SEVERITIES)},
        "phases": {
            "type": "array",
            "items": {"enum": list(PHASES)},
            "minItems": 1,
            "uniqueItems": True,
            "description": "Phases the rule applies to.",
        },
        "message": {"type": "string", "minLength": 1, "description": "Finding message; {field} placeholders."},
        "expect": {"$ref": "#/$defs/expect"},
        "source": {"$ref": "#/$defs/source"},
    }


@cache
def rulepack_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a rule-pack YAML file."""
    rule_props = _rule_props()
    rule: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "title", "severity", "phases", "subject", "message", "source"],
        "properties": {
            "id": {"type": "string", "pattern": RULE_ID_PATTERN, "description": "Unique across all loaded packs."},
            **rule_props,
            "subject": {
                "enum": list(SUBJECT_KINDS),
                "description": "; ".join(f"{k}: {KIND_DOCS[k]}" for k in SUBJECT_KINDS),
            },
            "when": {"type": "object", "description": "The violation condition (matchers depend on `subject`)."},
            "requires": {
                "type": "array",
                "items": {"enum": ["consent", "banner"]},
                "uniqueItems": True,
                "description": "Evidence needed (default: consent in reject/accept phases; banner for banner rules).",
            },
            "group_by": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "uniqueItems": True,
                "description": "With expect absent: one finding per distinct value of these fields.",
            },
        },
    }
    rule["allOf"] = [
        {
            "if": {"properties": {"subject": {"const": kind}}, "required": ["subject"]},
            "then": {"properties": {"when": {"$ref": f"#/$defs/condition-{kind}"}}},
        }
        for kind in SUBJECT_KINDS
    ]
    override = {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "properties": rule_props,
        "description": "Changes to a rule defined in this pack or a pack it extends.",
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "consent-auditor rule pack",
        "description": "A rule pack for consent-audit (see docs/rules.md).",
        "type": "object",
        "additionalProperties": False,
        "required": ["pack"],
        "properties": {
            "pack": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "title"],
                "properties": {
                    "id": {"type": "string", "pattern": RULE_ID_PATTERN},
                    "title": {"type": "string", "minLength": 1},
                    "description": {"type": "string"},
                    "extends": {
                        "type": "array",
                        "items": {"type": "string", "minLength": 1},
                        "uniqueItems": True,
                        "description": "Built-in pack names or paths relative to this file.",
                    },
                    "source": {"$ref": "#/$defs/source"},
                },
            },
            "disable": {
                "type": "array",
                "items": {"type": "string", "pattern": RULE_ID_PATTERN},
                "uniqueItems": True,
                "description": "Ids of rules (from extended packs) to turn off.",
            },
            "override": {
                "type": "object",
                "propertyNames": {"pattern": RULE_ID_PATTERN},
                "additionalProperties": {"$ref": "#/$defs/override"},
            },
            "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}},
            "declarations": {"$ref": "#/$defs/declarations"},
        },
        "$defs": {
            "rule": rule,
            "override": override,
            **{f"condition-{kind}": _condition_schema(kind) for kind in (*SUBJECT_KINDS, "control")},
            "expect": _expect_schema(),
            "source": _source_schema(),
            "declarations": _declarations_schema(),
        },
    }


def schema_text() -> str:
    """The schema as the text of the shipped file."""
    return json.dumps(rulepack_schema(), indent=2, ensure_ascii=False) + "\n"
