"""Finding messages: ``str.format``-style templates over subject fields, checked when a pack loads.

``"Tracker cookie {name} ({entity}) set {phase_label}"``: a placeholder names a field of the rule's
subject kind or one of :data:`~auditor.policy.fields.COMMON_PLACEHOLDERS`; a format spec may follow
(``{lifetime_days:.0f}``). An empty value renders as ``unknown``. Unknown placeholders are load errors.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from typing import Any

from auditor.yamlutil import LoadedYaml

_FORMATTER = string.Formatter()


def placeholders(template: str) -> list[tuple[str, str]]:
    """The (name, format spec) pairs of a template; raises ``ValueError`` when it is malformed."""
    out = []
    for _literal, name, spec, conversion in _FORMATTER.parse(template):
        if name is None:
            continue
        if not name or not name.isidentifier():
            raise ValueError(f"invalid placeholder {{{name}}} (use a field name such as {{name}})")
        if conversion:
            raise ValueError(f"conversions such as !{conversion} are not supported in {{{name}}}")
        out.append((name, spec or ""))
    return out


def check_template(template: str, allowed: Iterable[str], loaded: LoadedYaml, path: tuple[str | int, ...]) -> None:
    """Raise :class:`ConfigError` (with line) if ``template`` is malformed or names a placeholder not in ``allowed``."""
    allowed_set = set(allowed)
    from auditor.policy.conditions import config_error

    try:
        found = placeholders(template)
    except ValueError as exc:
        raise config_error(loaded, path, str(exc)) from None
    for name, _spec in found:
        if name not in allowed_set:
            raise config_error(
                loaded, path, f"unknown placeholder {{{name}}} (expected one of: {', '.join(sorted(allowed_set))})"
            )


def _text(value: Any, spec: str) -> str:
    if value is None or value == "":
        return "unknown"
    if spec:
        try:
            return format(value, spec)
        except (ValueError, TypeError):
            return str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.0f}" if abs(value) >= 10 else f"{value:.2g}"
    if isinstance(value, (tuple, list, frozenset, set)):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill a (validated) template; missing or empty values render as ``unknown``."""
    out = []
    for literal, name, spec, _conversion in _FORMATTER.parse(template):
        out.append(literal)
        if name is not None:
            out.append(_text(values.get(name), spec or ""))
    return "".join(out)
