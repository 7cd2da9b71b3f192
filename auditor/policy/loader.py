"""Loading rule packs: built-in names or files, ``extends`` resolution, ``disable`` and ``override``.

Everything is checked before any audit work starts: schema (unknown keys), matchers per subject
kind, regexes, message placeholders, duplicate rule ids across the resolved set, missing or cyclic
``extends`` targets, ``disable``/``override`` of unknown rules. Each problem raises
:class:`~auditor.yamlutil.ConfigError` with the file and line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from auditor.model import CHOICE_PHASES, PHASES, PhaseName, Severity
from auditor.policy.conditions import compile_condition, config_error
from auditor.policy.declarations import Declarations, merge, parse_declarations
from auditor.policy.fields import COMMON_PLACEHOLDERS, DECLARED_FIELD_NAMES, FIELDS
from auditor.policy.rules import Expect, PackInfo, Rule, RuleSet
from auditor.policy.schema import rulepack_schema
from auditor.policy.template import check_template
from auditor.resources import data_dir
from auditor.yamlutil import ConfigError, LoadedYaml, load_yaml, validate

YamlPath = tuple[str | int, ...]


def builtin_dir() -> Path:
    """The folder of the built-in packs (top-level ``rules/``)."""
    return data_dir("rules")


def builtin_packs() -> tuple[str, ...]:
    """Names of the built-in packs (``baseline``, ``cnil``, ..., ``sites/<name>``), sorted."""
    root = builtin_dir()
    names = [p.relative_to(root).with_suffix("").as_posix() for p in root.rglob("*.yaml")]
    return tuple(sorted(names, key=lambda n: (n.count("/"), n)))


def resolve_pack(spec: str | Path, relative_to: Path | None = None) -> Path:
    """Find the file of a pack given as a built-in name or a path.

    A path that exists wins (relative to ``relative_to`` when given, else to the working
    directory); otherwise ``spec`` is looked up among the built-in packs.
    """
    text = str(spec)
    candidates = []
    if relative_to is not None and not Path(text).is_absolute():
        candidates.append(relative_to / text)
    candidates.append(Path(text))
    for c in candidates:
        if c.is_file():
            return c.resolve()
    builtin = builtin_dir() / f"{text}.yaml"
    if builtin.is_file():
        return builtin.resolve()
    raise FileNotFoundError(
        f"unknown rule pack {text!r} (built-in packs: {', '.join(builtin_packs())}; or a path to a YAML file)"
    )


@dataclass
class _PackFile:
    """One parsed and compiled pack file, before resolution."""

    path: Path
    loaded: LoadedYaml
    info: PackInfo
    rules: list[Rule]
    extends: list[tuple[str, YamlPath]]
    disable: list[tuple[str, YamlPath]]
    override: dict[str, tuple[Mapping[str, Any], YamlPath]]
    bases: list[Path] = dataclasses.field(default_factory=list)


def _sources(value: Any) -> tuple[Mapping[str, Any], ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple({k: str(v) for k, v in item.items()} for item in items)


def _expect(value: Any) -> Expect:
    if value is None or value == "absent":
        return Expect("absent")
    if value == "present":
        return Expect("present")
    ((mode, count),) = value.items()
    return Expect(mode, int(count))


def _allowed_placeholders(kind: str, expect: Expect, group_by: tuple[str, ...]) -> list[str]:
    common = list(COMMON_PLACEHOLDERS)
    fields = [n for n, f in FIELDS[kind].items() if f.type != "controls"]
    if expect.mode != "absent":
        return common
    if group_by:
        return common + list(group_by)
    return common + fields


def _default_requires(kind: str, phases: Iterable[str]) -> tuple[str, ...]:
    req = []
    if any(p in CHOICE_PHASES for p in phases):
        req.append("consent")
    if kind == "banner":
        req.append("banner")
    return tuple(req)


def _compile_rule(data: Mapping[str, Any], loaded: LoadedYaml, path: YamlPath, pack_id: str) -> Rule:
    kind = str(data["subject"])
    phases = cast(tuple[PhaseName, ...], tuple(p for p in PHASES if p in data["phases"]))
    expect = _expect(data.get("expect"))
    group_by = tuple(data.get("group_by") or ())
    for i, name in enumerate(group_by):
        spec = FIELDS[kind].get(name)
        if spec is None or spec.type == "controls":
            allowed = ", ".join(n for n, f in FIELDS[kind].items() if f.type != "controls")
            raise config_error(
                loaded,
                (*path, "group_by", i),
                f"unknown field {name!r} for {kind} subjects (expected one of: {allowed})",
            )
    if group_by and expect.mode != "absent":
        raise ConfigError(
            "group_by only applies to expect: absent", file=loaded.file, line=loaded.line_of((*path, "group_by"))
        )
    compiled = compile_condition(data.get("when"), kind, loaded, (*path, "when"))
    check_template(data["message"], _allowed_placeholders(kind, expect, group_by), loaded, (*path, "message"))
    requires = tuple(data["requires"]) if "requires" in data else _default_requires(kind, phases)
    return Rule(
        id=data["id"],
        title=data["title"],
        severity=cast(Severity, data["severity"]),
        phases=phases,
        subject=kind,
        message=data["message"],
        expect=expect,
        when=data.get("when"),
        predicate=compiled.predicate,
        fields_used=compiled.fields,
        requires=requires,
        group_by=group_by,
        description=data.get("description"),
        sources=_sources(data.get("source")),
        pack=pack_id,
        file=loaded.file,
        line=loaded.line_of(path),
    )


def _display_name(path: Path) -> str:
    """A short file name for messages: relative to the built-in folder or the working directory."""
    for base in (builtin_dir().parent, Path.cwd()):
        try:
            return path.relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return str(path)


def _parse_pack(path: Path) -> _PackFile:
    loaded = load_yaml(path)
    loaded = LoadedYaml(data=loaded.data, node=loaded.node, file=_display_name(path))
    if loaded.data is None:
        raise ConfigError("empty rule pack (expected a mapping with 'pack' and 'rules')", file=loaded.file)
    validate(loaded, rulepack_schema())
    data: Mapping[str, Any] = loaded.data
    meta = data["pack"]
    pack_id = meta["id"]
    rules = [_compile_rule(r, loaded, ("rules", i), pack_id) for i, r in enumerate(data.get("rules") or [])]
    seen: dict[str, int | None] = {}
    for rule in rules:
        if rule.id in seen:
            raise ConfigError(
                f"duplicate rule id {rule.id!r} (first defined on line {seen[rule.id]})",
                file=loaded.file,
                line=rule.line,
            )
        seen[rule.id] = rule.line
    sources = _sources(meta.get("source"))
    declared = data.get("declarations")
    info = PackInfo(
        id=pack_id,
        title=meta["title"],
        description=meta.get("description"),
        file=loaded.file,
        extends=tuple(meta.get("extends") or ()),
        sources=sources,
        rule_ids=tuple(r.id for r in rules),
        disabled=tuple(data.get("disable") or ()),
        overridden=tuple((data.get("override") or {}).keys()),
        declarations=parse_declarations(declared, pack_id, sources) if isinstance(declared, Mapping) else None,
    )
    return _PackFile(
        path=path,
        loaded=loaded,
        info=info,
        rules=rules,
        extends=[(e, ("pack", "extends", i)) for i, e in enumerate(meta.get("extends") or ())],
        disable=[(d, ("disable", i)) for i, d in enumerate(data.get("disable") or ())],
        override={k: (v, ("override", k)) for k, v in (data.get("override") or {}).items()},
    )


class _Resolver:
    def __init__(self) -> None:
        self.packs: dict[Path, _PackFile] = {}
        self.order: list[_PackFile] = []

    def visit(self, path: Path, stack: tuple[Path, ...], origin: tuple[LoadedYaml, YamlPath] | None) -> _PackFile:
        if path in stack:
            chain = " → ".join(self.packs[p].info.id if p in self.packs else str(p) for p in (*stack, path))
            loaded, ypath = origin if origin else (None, ())
            raise ConfigError(
                f"'extends' cycle: {chain}",
                file=loaded.file if loaded else None,
                line=loaded.line_of(ypath) if loaded else None,
            )
        if path in self.packs:
            return self.packs[path]
        pack = _parse_pack(path)
        self.packs[path] = pack
        for name, ypath in pack.extends:
            try:
                base_path = resolve_pack(name, relative_to=path.parent)
            except FileNotFoundError as exc:
                raise config_error(pack.loaded, ypath, str(exc)) from None
            base = self.visit(base_path, (*stack, path), (pack.loaded, ypath))
            pack.bases.append(base.path)
        self.order.append(pack)
        return pack

    def declarations(self, pack: _PackFile) -> Declarations | None:
        """The declarations of a pack merged with those of the packs it extends (its own first)."""
        parts: list[Declarations] = []
        seen: set[Path] = set()

        def walk(p: _PackFile) -> None:
            if p.path in seen:
                return
            seen.add(p.path)
            if p.info.declarations is not None:
                parts.append(p.info.declarations)
            for base in p.bases:
                walk(self.packs[base])

        walk(pack)
        return merge(parts, pack.info.id)

    def closure(self, pack: _PackFile) -> set[str]:
        """Rule ids defined by a pack and every pack it extends, transitively."""
        ids = {r.id for r in pack.rules}
        for base in pack.bases:
            ids |= self.closure(self.packs[base])
        return ids


def _apply_override(rule: Rule, changes: Mapping[str, Any], pack: _PackFile, ypath: YamlPath) -> Rule:
    loaded = pack.loaded
    new: dict[str, Any] = {}
    if "severity" in changes:
        new["severity"] = changes["severity"]
    if "title" in changes:
        new["title"] = changes["title"]
    if "description" in changes:
        new["description"] = changes["description"]
    if "phases" in changes:
        new["phases"] = tuple(p for p in PHASES if p in changes["phases"])
        if "consent" not in rule.requires and any(p in ("reject", "accept") for p in new["phases"]):
            new["requires"] = (*rule.requires, "consent")
    if "expect" in changes:
        new["expect"] = _expect(changes["expect"])
        if rule.group_by and new["expect"].mode != "absent":
            raise config_error(
                loaded, (*ypath, "expect"), f"rule {rule.id!r} has group_by, which only applies to expect: absent"
            )
    if "source" in changes:
        new["sources"] = _sources(changes["source"])
    message = changes.get("message", rule.message)
    expect = new.get("expect", rule.expect)
    check_template(message, _allowed_placeholders(rule.subject, expect, rule.group_by), loaded, (*ypath, "message"))
    new["message"] = message
    new["overridden_by"] = (*rule.overridden_by, pack.info.id)
    return dataclasses.replace(rule, **new)


def _check_pack_ids(order: list[_PackFile]) -> None:
    seen: dict[str, _PackFile] = {}
    for pack in order:
        other = seen.get(pack.info.id)
        if other is not None:
            raise ConfigError(
                f"pack id {pack.info.id!r} is also used by {other.loaded.file}",
                file=pack.loaded.file,
                line=pack.loaded.line_of(("pack", "id")),
            )
        seen[pack.info.id] = pack


def load_rules(specs: Iterable[str | Path]) -> RuleSet:
    """Load and resolve rule packs given as built-in names (``baseline``) or file paths.

    Packs named several times (directly or through ``extends``) are loaded once. Rules keep the
    order of their packs (bases first). ``disable`` and ``override`` entries apply in that order,
    and must name a rule of the pack itself or of a pack it extends. Raises
    :class:`~auditor.yamlutil.ConfigError` on the first problem found.
    """
    resolver = _Resolver()
    spec_list = list(specs)
    if not spec_list:
        raise ConfigError(f"no rule pack given (built-in packs: {', '.join(builtin_packs())})")
    for spec in spec_list:
        try:
            path = resolve_pack(spec)
        except FileNotFoundError as exc:
            raise ConfigError(str(exc)) from None
        resolver.visit(path, (), None)
    order = resolver.order
    _check_pack_ids(order)

    rules: dict[str, Rule] = {}
    for pack in order:
        declarations = resolver.declarations(pack)
        for rule in pack.rules:
            rule = _with_declarations(rule, declarations, pack)
            if rule.id in rules:
                first = rules[rule.id]
                where = f"{first.file}:{first.line}" if first.line else first.file
                raise ConfigError(
                    f"duplicate rule id {rule.id!r} (already defined in pack {first.pack!r} at {where})",
                    file=rule.file,
                    line=rule.line,
                )
            rules[rule.id] = rule

    disabled: dict[str, str] = {}
    for pack in order:
        closure = resolver.closure(pack)
        for rule_id, ypath in pack.disable:
            if rule_id not in closure:
                raise _unknown_target(rule_id, closure, pack, ypath)
            disabled[rule_id] = pack.info.id
        for rule_id, (changes, ypath) in pack.override.items():
            if rule_id not in closure:
                raise _unknown_target(rule_id, closure, pack, ypath)
            rules[rule_id] = _apply_override(rules[rule_id], changes, pack, ypath)

    active = tuple(r for r in rules.values() if r.id not in disabled)
    return RuleSet(rules=active, packs=tuple(p.info for p in order), disabled=disabled)


def _with_declarations(rule: Rule, declarations: Declarations | None, pack: _PackFile) -> Rule:
    """The rule carrying its pack's declarations; a rule reading them in a pack that declares nothing is an error."""
    used = sorted(DECLARED_FIELD_NAMES & set(rule.fields_used))
    if used and declarations is None:
        index = pack.info.rule_ids.index(rule.id)
        raise config_error(
            pack.loaded,
            ("rules", index, "when"),
            f"rule {rule.id!r} uses {', '.join(used)}, but pack {pack.info.id!r} (and the packs it extends) has no"
            " declarations: section",
        )
    return dataclasses.replace(rule, declarations=declarations) if declarations is not None else rule


def _unknown_target(rule_id: str, closure: set[str], pack: _PackFile, ypath: YamlPath) -> ConfigError:
    import difflib

    close = difflib.get_close_matches(rule_id, sorted(closure), n=3)
    hint = f"; did you mean: {', '.join(close)}?" if close else ""
    return config_error(
        pack.loaded, ypath, f"unknown rule {rule_id!r} (not defined by this pack or the packs it extends{hint})"
    )


def load_builtin_rules() -> RuleSet:
    """Every built-in pack (regulatory packs and site examples) in one set."""
    return load_rules(builtin_packs())
