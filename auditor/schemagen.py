"""Generates the published JSON Schema of ``results.json`` from the domain model itself.

The model (:mod:`auditor.model`) is the single definition of the results contract; the schema file
``auditor/schemas/results.schema.json`` is derived from it (``python -m auditor.schemagen`` rewrites
it, and a test fails when it is stale). Field docstrings become schema descriptions.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import itertools
import json
import sys
import types
import typing
from functools import cache
from typing import Any, Literal, get_args, get_origin, get_type_hints

from auditor import model
from auditor.resources import schema_path

SCHEMA_FILE = "results.schema.json"


@cache
def _field_docs(cls: type) -> dict[str, str]:
    """Attribute docstrings (a string literal right after an annotated field) of a dataclass."""
    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, after in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[node.target.id] = " ".join(after.value.value.split())
    return docs


def _type_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = get_origin(tp)
    if tp is Any:
        return {}
    if origin in (typing.Union, types.UnionType):
        options = [_type_schema(a, defs) for a in get_args(tp)]
        return {"anyOf": options}
    if tp is type(None):
        return {"type": "null"}
    if origin is Literal:
        return {"enum": list(get_args(tp))}
    if origin is tuple:
        return {"type": "array", "items": _type_schema(get_args(tp)[0], defs)}
    if origin in (dict, typing.Mapping) or tp is dict or str(origin) == "<class 'collections.abc.Mapping'>":
        args = get_args(tp)
        return {"type": "object", "additionalProperties": _type_schema(args[1], defs) if len(args) == 2 else {}}
    if dataclasses.is_dataclass(tp):
        name = typing.cast(type, tp).__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            defs[name] = _dataclass_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if tp in simple:
        return {"type": "number"} if tp is float else {"type": simple[tp]}
    raise TypeError(f"no JSON Schema for {tp!r}")


def _dataclass_schema(cls: Any, defs: dict[str, Any]) -> dict[str, Any]:
    hints = get_type_hints(cls)
    docs = _field_docs(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for f in dataclasses.fields(cls):
        prop = _type_schema(hints[f.name], defs)
        if f.name in docs:
            prop = {**prop, "description": docs[f.name]}
        properties[f.name] = prop
        required.append(f.name)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        # Newer writers may add fields (the contract allows it); readers ignore unknown ones.
        "additionalProperties": True,
    }
    if cls.__doc__:
        schema["description"] = " ".join(cls.__doc__.split())
    return schema


def results_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of ``results.json``, derived from :class:`auditor.model.RunResult`."""
    defs: dict[str, Any] = {}
    root = _dataclass_schema(model.RunResult, defs)
    root["properties"]["schema_version"] = {"const": model.SCHEMA_VERSION}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/consent-auditor/consent-auditor/schemas/results.schema.json",
        "title": f"consent-audit results (contract v{model.SCHEMA_VERSION})",
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def render() -> str:
    """The schema file's text."""
    return json.dumps(results_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    """Rewrite ``auditor/schemas/results.schema.json`` (or ``--check`` that it is current)."""
    path = schema_path(SCHEMA_FILE)
    text = render()
    if "--check" in sys.argv:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            print(f"{path} is stale: run python -m auditor.schemagen", file=sys.stderr)
            raise SystemExit(1)
        return
    path.write_text(text, encoding="utf-8")
    print(path)


if __name__ == "__main__":
    main()
