"""Compiling ``when`` conditions into fast predicates, and describing them in words.

A condition is a mapping. Its keys are combined with AND, in the order written (later keys are not
read once an earlier one is false, so put cheap or guarding tests first):

- ``and: [cond, ...]``, ``or: [cond, ...]``, ``not: cond`` combine conditions;
- any other key is a field of the rule's subject kind (see :mod:`auditor.policy.fields`) with a
  matcher whose form depends on the field's type:

=========  =====================================================================================
type       matcher forms
=========  =====================================================================================
string     ``"x"`` (equals), ``[a, b]`` (one of), or one of ``{equals, in, glob, regex, prefix,
           suffix, contains, exists}``; ``regex`` is searched (anchor with ``^...$``), ``glob``
           uses ``*``/``?``/``[...]``; both accept a list (any of).
domain     like string, but case-insensitive, a leading dot ignored, and a plain ``"example.com"``
           matches the domain **and its subdomains**; ``{equals: ...}`` is exact.
enum       ``"x"`` or ``[a, b]``; values are checked against the allowed ones at load time.
number     ``3`` (equals) or ``{gt, gte, lt, lte, eq, ne}`` (all must hold), ``{exists: false}``
           for an empty value; any comparison with an empty value is false.
bool       ``true`` / ``false``.
intset     ``{empty: bool, contains_any: [..], contains_all: [..], contains_none: [..]}``.
controls   a nested condition over banner-control fields; true when some control matches.
=========  =====================================================================================

Every problem (unknown field, wrong value, bad regex) is a :class:`~auditor.yamlutil.ConfigError`
with the file and line of the offending key.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.policy.fields import FIELDS, FieldSpec, Item
from auditor.yamlutil import ConfigError, LoadedYaml

Predicate = Callable[[Item], bool]
ValueTest = Callable[[Any], bool]
Path = tuple[str | int, ...]

STRING_OPS = ("equals", "in", "glob", "regex", "prefix", "suffix", "contains", "exists")
NUMBER_OPS = ("gt", "gte", "lt", "lte", "eq", "ne", "exists")
INTSET_OPS = ("empty", "contains_any", "contains_all", "contains_none")
COMBINATORS = ("and", "or", "not")


@dataclass(frozen=True)
class Compiled:
    """A compiled condition: the predicate and the fields it reads (for evidence and docs)."""

    predicate: Predicate
    fields: tuple[str, ...]


class _Compiler:
    """Compiles the conditions of one YAML file, reporting errors with its lines."""

    def __init__(self, loaded: LoadedYaml) -> None:
        self.loaded = loaded

    def error(self, path: Path, message: str) -> ConfigError:
        return config_error(self.loaded, path, message)

    # -- conditions --------------------------------------------------------------------------

    def condition(self, data: Any, kind: str, path: Path, used: list[str]) -> Predicate:
        if not isinstance(data, Mapping):
            raise self.error(path, f"a condition must be a mapping of matchers, got {type(data).__name__}")
        parts: list[Predicate] = []
        for key, value in data.items():
            sub = (*path, key)
            if key in ("and", "or"):
                if not isinstance(value, list) or not value:
                    raise self.error(sub, f"'{key}' expects a non-empty list of conditions")
                preds = [self.condition(v, kind, (*sub, i), used) for i, v in enumerate(value)]
                parts.append(_all(preds) if key == "and" else _any(preds))
            elif key == "not":
                parts.append(_negate(self.condition(value, kind, sub, used)))
            else:
                parts.append(self.matcher(str(key), value, kind, sub, used))
        if not parts:
            return lambda item: True
        return parts[0] if len(parts) == 1 else _all(parts)

    def matcher(self, name: str, value: Any, kind: str, path: Path, used: list[str]) -> Predicate:
        fields = FIELDS[kind]
        spec = fields.get(name)
        if spec is None:
            allowed = ", ".join([*COMBINATORS, *sorted(fields)])
            what = "banner controls" if kind == "control" else f"{kind} subjects"
            raise self.error(path, f"unknown matcher {name!r} for {what} (expected one of: {allowed})")
        if name not in used:
            used.append(name)
        get = spec.get
        if spec.type == "controls":
            inner = self.condition(value, "control", path, [])
            return lambda item: any(inner(Item(c, item.ctx)) for c in get(item))
        test = self.value_test(spec, value, path)
        return lambda item: test(get(item))

    # -- value tests -------------------------------------------------------------------------

    def value_test(self, spec: FieldSpec, value: Any, path: Path) -> ValueTest:
        t = spec.type
        if t == "bool":
            if not isinstance(value, bool):
                raise self.error(path, f"expected true or false, got {value!r}")
            return lambda v: bool(v) is value
        if t == "enum":
            values = value if isinstance(value, list) else [value]
            for i, v in enumerate(values):
                if v not in spec.choices:
                    where = (*path, i) if isinstance(value, list) else path
                    raise self.error(where, f"{v!r} is not one of: {', '.join(spec.choices)}")
            allowed = frozenset(values)
            return lambda v: v in allowed
        if t == "number":
            return self.number_test(spec, value, path)
        if t == "intset":
            return self.intset_test(spec, value, path)
        return self.string_test(spec, value, path, domain=t == "domain")

    def number_test(self, spec: FieldSpec, value: Any, path: Path) -> ValueTest:
        if isinstance(value, bool) or not isinstance(value, (int, float, Mapping)):
            raise self.error(path, f"expected a number or {{{', '.join(NUMBER_OPS)}}}, got {value!r}")
        if not isinstance(value, Mapping):
            number = float(value)
            return lambda v: v is not None and v == number
        tests: list[ValueTest] = []
        for op, bound in value.items():
            if op not in NUMBER_OPS:
                raise self.error((*path, op), f"unknown comparison {op!r} (expected one of: {', '.join(NUMBER_OPS)})")
            if op == "exists":
                if not isinstance(bound, bool):
                    raise self.error((*path, op), "expected true or false")
                tests.append(_exists(bound))
                continue
            if isinstance(bound, bool) or not isinstance(bound, (int, float)):
                raise self.error((*path, op), f"expected a number, got {bound!r}")
            tests.append(_compare(op, float(bound)))
        if not tests:
            raise self.error(path, f"empty comparison (expected one of: {', '.join(NUMBER_OPS)})")
        return tests[0] if len(tests) == 1 else lambda v: all(t(v) for t in tests)

    def intset_test(self, spec: FieldSpec, value: Any, path: Path) -> ValueTest:
        if not isinstance(value, Mapping) or not value:
            raise self.error(path, f"expected a mapping with one of: {', '.join(INTSET_OPS)}")
        tests: list[ValueTest] = []
        for op, arg in value.items():
            sub = (*path, op)
            if op == "empty":
                if not isinstance(arg, bool):
                    raise self.error(sub, "expected true or false")
                tests.append(_empty(arg))
            elif op in ("contains_any", "contains_all", "contains_none"):
                if not isinstance(arg, list) or not all(isinstance(x, int) and not isinstance(x, bool) for x in arg):
                    raise self.error(sub, "expected a list of integers")
                tests.append(_intset_op(op, frozenset(arg)))
            else:
                raise self.error(sub, f"unknown test {op!r} (expected one of: {', '.join(INTSET_OPS)})")
        return lambda v: all(t(v) for t in tests)

    def string_test(self, spec: FieldSpec, value: Any, path: Path, *, domain: bool) -> ValueTest:
        norm: Callable[[str], str] = _norm_domain if domain else _identity
        if isinstance(value, str):
            return self._domain_match([value], path) if domain else _equals(frozenset([value]))
        if isinstance(value, list):
            if not value or not all(isinstance(v, str) for v in value):
                raise self.error(path, "expected a non-empty list of strings")
            return self._domain_match(value, path) if domain else _equals(frozenset(value))
        if not isinstance(value, Mapping) or not value:
            raise self.error(path, f"expected a string, a list of strings or one of {{{', '.join(STRING_OPS)}}}")
        tests: list[ValueTest] = []
        for op, arg in value.items():
            sub = (*path, op)
            if op not in STRING_OPS:
                raise self.error(sub, f"unknown string test {op!r} (expected one of: {', '.join(STRING_OPS)})")
            if op == "exists":
                if not isinstance(arg, bool):
                    raise self.error(sub, "expected true or false")
                tests.append(_string_exists(arg))
                continue
            args = arg if isinstance(arg, list) and op != "in" else [arg]
            if op == "in":
                if not isinstance(arg, list) or not all(isinstance(a, str) for a in arg):
                    raise self.error(sub, "expected a list of strings")
                args = arg
            if not args or not all(isinstance(a, str) for a in args):
                raise self.error(sub, "expected a string or a list of strings")
            tests.append(_not_none(self._string_op(spec, op, [norm(a) for a in args], sub, domain)))
        return tests[0] if len(tests) == 1 else lambda v: all(t(v) for t in tests)

    def _string_op(self, spec: FieldSpec, op: str, args: Sequence[str], path: Path, domain: bool) -> ValueTest:
        norm: Callable[[str], str] = _norm_domain if domain else _identity
        if op in ("equals", "in"):
            wanted = frozenset(args)
            return lambda v: norm(v) in wanted
        if op == "glob":
            flags = re.IGNORECASE if domain else 0
            pattern = re.compile("|".join(f"(?:{fnmatch.translate(a)})" for a in args), flags)
            return lambda v: pattern.match(norm(v)) is not None
        if op == "regex":
            compiled = []
            for i, a in enumerate(args):
                try:
                    compiled.append(re.compile(a, re.IGNORECASE if domain else 0))
                except re.error as exc:
                    where = (*path, i) if len(args) > 1 else path
                    raise self.error(where, f"invalid regular expression {a!r}: {exc}") from None
            return lambda v: any(r.search(norm(v)) for r in compiled)
        if op == "prefix":
            prefixes = tuple(args)
            return lambda v: norm(v).startswith(prefixes)
        if op == "suffix":
            if domain:
                return self._domain_match(list(args), path)
            suffixes = tuple(args)
            return lambda v: v.endswith(suffixes)
        # contains
        return lambda v: any(a in norm(v) for a in args)

    def _domain_match(self, domains: Sequence[str], path: Path) -> ValueTest:
        exact = frozenset(_norm_domain(d) for d in domains)
        suffixes = tuple("." + d for d in exact)

        def test(v: Any) -> bool:
            if not v:
                return False
            d = _norm_domain(v)
            return d in exact or d.endswith(suffixes)

        return test


def path_text(path: Path) -> str:
    """``rules[0].when.name`` for ``("rules", 0, "when", "name")``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def config_error(loaded: LoadedYaml, path: Path, message: str) -> ConfigError:
    """A :class:`ConfigError` at the line of ``path``, its message prefixed with the path."""
    where = path_text(path)
    return ConfigError(f"{where}: {message}" if where else message, file=loaded.file, line=loaded.line_of(path))


def _negate(pred: Predicate) -> Predicate:
    return lambda item: not pred(item)


def _exists(flag: bool) -> ValueTest:
    return lambda v: (v is not None) is flag


def _string_exists(flag: bool) -> ValueTest:
    return lambda v: (v is not None and v != "") is flag


def _not_none(test: ValueTest) -> ValueTest:
    return lambda v: v is not None and test(v)


def _empty(flag: bool) -> ValueTest:
    return lambda v: (len(v) == 0) is flag


def _intset_op(op: str, wanted: frozenset[int]) -> ValueTest:
    if op == "contains_any":
        return lambda v: not wanted.isdisjoint(v)
    if op == "contains_all":
        return lambda v: wanted.issubset(v)
    return lambda v: wanted.isdisjoint(v)


def _identity(s: str) -> str:
    return s


def _norm_domain(s: str) -> str:
    return s.strip().lstrip(".").rstrip(".").lower()


def _equals(values: frozenset[str]) -> ValueTest:
    return lambda v: v in values


def _compare(op: str, bound: float) -> ValueTest:
    if op == "gt":
        return lambda v: v is not None and v > bound
    if op == "gte":
        return lambda v: v is not None and v >= bound
    if op == "lt":
        return lambda v: v is not None and v < bound
    if op == "lte":
        return lambda v: v is not None and v <= bound
    if op == "eq":
        return lambda v: v is not None and v == bound
    return lambda v: v is not None and v != bound


def _all(preds: list[Predicate]) -> Predicate:
    if len(preds) == 2:
        a, b = preds
        return lambda item: a(item) and b(item)
    return lambda item: all(p(item) for p in preds)


def _any(preds: list[Predicate]) -> Predicate:
    return lambda item: any(p(item) for p in preds)


def compile_condition(data: Any, kind: str, loaded: LoadedYaml, path: Path) -> Compiled:
    """Compile the condition at ``path`` of ``loaded`` for subjects of ``kind``.

    ``None`` (no ``when``) matches every subject.
    """
    if data is None:
        return Compiled(lambda item: True, ())
    used: list[str] = []
    predicate = _Compiler(loaded).condition(data, kind, path, used)
    return Compiled(predicate, tuple(used))


# --- describing conditions in words (documentation) ----------------------------------------------


def describe(data: Any) -> str:
    """A one-line, human reading of a condition (for ``rules show`` and docs/rules.md)."""
    if data is None or data == {}:
        return "always"
    return _describe(data)


def _describe(data: Any) -> str:
    if not isinstance(data, Mapping):
        return repr(data)
    parts = []
    for key, value in data.items():
        if key == "and":
            parts.append("(" + " AND ".join(_describe(v) for v in value) + ")")
        elif key == "or":
            parts.append("(" + " OR ".join(_describe(v) for v in value) + ")")
        elif key == "not":
            parts.append("NOT " + _describe(value))
        else:
            parts.append(_describe_matcher(str(key), value))
    return " AND ".join(parts)


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return f"`{v}`" if isinstance(v, str) else str(v)


_OPS_WORDS = {
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "eq": "=",
    "ne": "≠",
}


def _describe_matcher(name: str, value: Any) -> str:
    if name == "has_control":
        return f"some banner control has ({_describe(value)})"
    if isinstance(value, bool):
        return name if value else f"not {name}"
    if isinstance(value, list):
        return f"{name} in ({', '.join(_fmt(v) for v in value)})"
    if not isinstance(value, Mapping):
        return f"{name} = {_fmt(value)}"
    parts = []
    for op, arg in value.items():
        if op in _OPS_WORDS:
            parts.append(f"{name} {_OPS_WORDS[op]} {_fmt(arg)}")
        elif op == "exists":
            parts.append(f"{name} is {'set' if arg else 'empty'}")
        elif op == "empty":
            parts.append(f"{name} is {'empty' if arg else 'not empty'}")
        elif isinstance(arg, list):
            parts.append(f"{name} {op.replace('_', ' ')} ({', '.join(_fmt(a) for a in arg)})")
        else:
            parts.append(f"{name} {op.replace('_', ' ')} {_fmt(arg)}")
    return " AND ".join(parts)
