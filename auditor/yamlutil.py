"""Strict YAML loading with line numbers, and JSON-Schema validation that names file and line.

Every user-supplied YAML file (``sites.yaml``, rule packs, knowledge-base extensions) goes through
:func:`load_validated`, so all of them report problems the same way::

    sites.yaml:12: sites[1].consent.reject: unknown key 'selecter' (expected one of: label, selector)

Errors are raised as :class:`ConfigError`; only the CLI turns them into messages and exit code 2.
"""

from __future__ import annotations

import json
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml


class ConfigError(Exception):
    """A user file (or argument) is invalid. ``str()`` gives ``file:line: message``."""

    def __init__(self, message: str, *, file: str | Path | None = None, line: int | None = None) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        return where + self.message


@dataclass(frozen=True)
class LoadedYaml:
    """A parsed YAML document together with the node tree used to find line numbers."""

    data: Any
    """The plain Python data (dicts, lists, scalars)."""
    node: yaml.Node | None
    """The composed node tree (``None`` for an empty document)."""
    file: str
    """The file name used in error messages."""

    def line_of(self, path: tuple[str | int, ...]) -> int | None:
        """Return the 1-based line of the value at ``path`` (dict keys / list indexes), best effort.

        For a missing key the line of the closest existing parent is returned.
        """
        node = self.node
        line = node.start_mark.line + 1 if node is not None else None
        for part in path:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == part:
                        node = value_node
                        line = key_node.start_mark.line + 1
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line


_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # type: ignore[assignment]
"""libyaml's parser when PyYAML was built with it (5-10x faster than the pure-Python one, same marks)."""


class _UniqueKeyLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """A SafeLoader that rejects duplicate mapping keys (YAML silently keeps the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise ConfigError(
                    f"duplicate key {key!r} (first defined on line {seen[key]})",
                    file=self.name,
                    line=key_node.start_mark.line + 1,
                )
            seen[key] = key_node.start_mark.line + 1
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def parse_yaml(text: str, file: str | Path) -> LoadedYaml:
    """Parse YAML text strictly; syntax errors become :class:`ConfigError` with a line."""
    name = str(file)
    try:
        loader = _UniqueKeyLoader(text)
        loader.name = name
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()  # type: ignore[no-untyped-call]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"invalid YAML: {problem}", file=name, line=line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", file=name) from None
    return LoadedYaml(data=data, node=node, file=name)


def load_yaml(path: str | Path) -> LoadedYaml:
    """Read and parse a YAML file; a missing or unreadable file is a :class:`ConfigError`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", file=p) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read file: {exc}", file=p) from None
    return parse_yaml(text, p)


if TYPE_CHECKING:
    import jsonschema


def _describe(error: jsonschema.ValidationError) -> str:
    """Turn a jsonschema error into a short message saying what is expected."""
    where = _path_str(tuple(error.absolute_path))
    prefix = f"{where}: " if where else ""
    if error.validator == "additionalProperties":
        allowed = sorted(_properties(error))
        extra = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        keys = ", ".join(repr(k) for k in extra) or "?"
        hint = f" (expected one of: {', '.join(allowed)})" if allowed else ""
        return f"{prefix}unknown key {keys}{hint}"
    if error.validator == "required":
        return f"{prefix}{error.message}"
    if error.validator == "enum":
        options = ", ".join(json.dumps(v) for v in typing.cast(list[Any], error.validator_value))
        return f"{prefix}{json.dumps(error.instance)} is not one of: {options}"
    if error.validator == "type":
        return f"{prefix}expected {error.validator_value}, got {json.dumps(error.instance)[:60]}"
    return f"{prefix}{error.message}"


def _properties(error: jsonschema.ValidationError) -> list[str]:
    """The property names a schema allows (for "unknown key" hints)."""
    schema = error.schema
    if not isinstance(schema, dict):
        return []
    return list((schema.get("properties") or {}).keys())


def _path_str(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _error_path(error: jsonschema.ValidationError) -> tuple[str | int, ...]:
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(_properties(error))
        extra = [k for k in error.instance if k not in allowed]
        if extra:
            return (*path, extra[0])
    return path


def validate(loaded: LoadedYaml, schema: dict[str, Any]) -> None:
    """Validate ``loaded.data`` against a JSON Schema; raise the first (deepest) error with its line."""
    import jsonschema  # on first use: importing it costs a noticeable part of the CLI's start-up

    validator_cls = jsonschema.validators.validator_for(schema)
    validator = validator_cls(schema)
    errors = list(validator.iter_errors(loaded.data))
    if not errors:
        return
    best = jsonschema.exceptions.best_match(errors)
    # best_match prefers shallow errors for anyOf/oneOf; descend into their context for precision.
    while best.context:
        best = jsonschema.exceptions.best_match(best.context)
    raise ConfigError(_describe(best), file=loaded.file, line=loaded.line_of(_error_path(best)))


def load_validated(path: str | Path, schema: dict[str, Any], *, trusted: bool = False) -> LoadedYaml:
    """Load a YAML file and validate it against ``schema`` (see :func:`validate`).

    ``trusted`` skips the schema check: for the files shipped in the package, which the test suite
    validates (``tests/test_knowledge.py``); the check costs more than the parse at every start."""
    loaded = load_yaml(path)
    if not trusted:
        validate(loaded, schema)
    return loaded


def load_schema(name: str) -> dict[str, Any]:
    """Load one of the JSON Schemas shipped in the package (``auditor/schemas/NAME``)."""
    from auditor.resources import schema_path

    result: dict[str, Any] = json.loads(schema_path(name).read_text(encoding="utf-8"))
    return result
