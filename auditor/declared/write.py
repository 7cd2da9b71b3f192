"""A drafted policy as a rule pack: plain data (:func:`pack_data`) and commented YAML (:func:`pack_yaml`).

The pack extends the regulatory packs (``core`` by default), lists the declared cookies and vendors in
its ``declarations:`` section (each citing its table row or configuration entry), marks the lists that
could not be read (their rules are then *not evaluated*, never passed), and holds one rule per promise
plus the declared-versus-observed checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from auditor.declared.draft import DraftedPolicy
from auditor.declared.promises import promise_rules
from auditor.declared.tables import DeclaredRow

ALL_PHASES = ["before", "reject", "accept"]


def _prefix(policy: DraftedPolicy) -> str:
    host = policy.host.lower()
    return host[4:] if host.startswith("www.") else host


def _cookie(row: DeclaredRow, document: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": {"regex": row.name[3:]} if row.name.startswith("re:") else row.name}
    if row.domain and "." in row.domain and " " not in row.domain:
        entry["domain"] = row.domain.lstrip(".")
    if row.category:
        entry["category"] = row.category
    if row.lifetime_days is not None:
        entry["lifetime_days"] = row.lifetime_days
    entry["source"] = {"document": document, "policy_url": row.url, "quote": row.row}
    return entry


def _declarations(policy: DraftedPolicy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if policy.cookies:
        out["cookies"] = [
            _cookie(r, "Cookie policy table" if " configuration: " not in r.row else "Consent manager configuration")
            for r in policy.cookies
        ]
    vendors: list[dict[str, Any]] = []
    for s in policy.services:
        entry: dict[str, Any] = {"name": s.title}
        if s.domains:
            entry["domains"] = list(dict.fromkeys(d.lower().lstrip(".") for d in s.domains))
        entry["source"] = {
            "document": f"{policy.cmp} configuration",
            "url": policy.url,
            "quote": f"service {s.name!r} ({s.category or 'purpose not stated'})",
        }
        vendors.append(entry)
    for tcf_id, name in policy.tcf_vendors or ():
        vendors.append(
            {
                "name": name,
                "tcf_id": tcf_id,
                "source": {"document": "TCF vendor list", "url": policy.url, "quote": f"vendor {tcf_id}"},
            }
        )
    if vendors or policy.tcf_vendors is not None:
        out["vendors"] = vendors
    if policy.unreadable:
        out["unreadable"] = [{"what": k, "reason": v} for k, v in policy.unreadable.items()]
    return out


def _declaration_rules(policy: DraftedPolicy, prefix: str) -> list[dict[str, Any]]:
    source = {"document": "The site's declarations", "policy_url": policy.url}
    cite = dict(policy.sources[-1]) if policy.sources else source
    rules: list[dict[str, Any]] = [
        {
            "id": f"{prefix}-undeclared-tracker-cookie",
            "title": "Every tracker cookie is declared by the site",
            "severity": "error",
            "phases": ALL_PHASES,
            "subject": "cookie",
            "when": {"declared": False, "tracker": True},
            "message": "Tracker cookie {name} on {domain} ({entity}, {category}) is set {phase_label} but the site"
            " does not declare it: {declaration}",
            "source": cite,
        },
        {
            "id": f"{prefix}-undeclared-cookie",
            "title": "Every cookie is declared by the site",
            "severity": "warning",
            "phases": ALL_PHASES,
            "subject": "cookie",
            "when": {"declared": False, "tracker": False},
            "message": "Cookie {name} on {domain} is set {phase_label} but the site does not declare it: {declaration}",
            "source": cite,
        },
        {
            "id": f"{prefix}-lifetime-as-declared",
            "title": "No cookie lives longer than the site declares",
            "severity": "error",
            "phases": ALL_PHASES,
            "subject": "cookie",
            "when": {"lifetime_over_declared": True},
            "message": "Cookie {name} on {domain} lives {lifetime_days} days {phase_label}, the site declares"
            " {declared_lifetime_days}: {declaration}",
            "source": cite,
        },
        {
            "id": f"{prefix}-category-as-declared",
            "title": "No tracker is declared as a technical cookie",
            "severity": "error",
            "phases": ALL_PHASES,
            "subject": "cookie",
            "when": {"category_contradicts_declaration": True},
            "message": "Cookie {name} on {domain} is declared {declared_category} but is classified {category}"
            " ({entity}, a tracker): {declaration}",
            "source": cite,
        },
    ]
    if "vendors" in _declarations(policy):
        rules.append(
            {
                "id": f"{prefix}-tracker-vendor-declared",
                "title": "Trackers contacted are vendors the site declares",
                "severity": "warning",
                "phases": ALL_PHASES,
                "subject": "request",
                "when": {"tracker": True, "vendor_declared": False},
                "group_by": ["entity", "host"],
                "message": "{count} request(s) to tracker {host} ({entity}) {phase_label}, not a vendor the site"
                " declares",
                "source": {"document": f"{policy.cmp or 'Consent manager'} configuration", "url": policy.url},
            }
        )
    if policy.tcf_vendors is not None or "tcf_vendors" in policy.unreadable:
        rules.append(
            {
                "id": f"{prefix}-tcf-vendor-declared",
                "title": "TCF consent is signalled only for vendors the CMP lists",
                "severity": "error",
                "phases": ALL_PHASES,
                "subject": "tcf",
                "when": {"undeclared_vendor_consents": {"empty": False}},
                "message": "The TC string signals consent {phase_label} for vendors the CMP does not list",
                "source": {"document": "TCF vendor list", "url": policy.url},
            }
        )
    return rules


def pack_data(policy: DraftedPolicy, extends: Sequence[str] = ("core",)) -> dict[str, Any]:
    """The drafted rule pack as plain data (what :func:`pack_yaml` writes)."""
    prefix = _prefix(policy)
    meta: dict[str, Any] = {
        "id": policy.pack_id,
        "title": f"{policy.host} — what the site itself declares",
        "description": "Drafted by consent-audit from the site's banner, consent manager configuration and cookie"
        " policy. Review it: each rule is only as good as the sentence or row it cites.",
        "extends": list(extends),
        "source": dict(policy.sources[0]) if policy.sources else {"document": "Site", "policy_url": policy.url},
    }
    rules: list[dict[str, Any]] = []
    seen: set[str] = set()
    for promise in policy.promises:
        document = "Consent banner" if promise.where == "banner" else "Cookie policy"
        for rule in promise_rules(promise, prefix, document):
            if rule["id"] not in seen:
                seen.add(rule["id"])
                rules.append(rule)
    rules.extend(_declaration_rules(policy, prefix))
    declarations = _declarations(policy)
    if policy.sources:
        declarations = {"source": dict(policy.sources[-1]), **declarations}
    return {"pack": meta, "declarations": declarations, "rules": rules}


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110, default_flow_style=False)


def _comment(lines: Sequence[str]) -> str:
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)


def pack_yaml(policy: DraftedPolicy, extends: Sequence[str] = ("core",), schema: str | None = None) -> str:
    """The drafted pack as commented YAML, loadable by ``--rules FILE``."""
    data = pack_data(policy, extends)
    head: list[str] = []
    if schema:
        head.append(f"yaml-language-server: $schema={schema}")
        head.append("")
    head += [f"Drafted by `consent-audit policy draft {policy.url}` from what the site declares:"]
    head.append(f"  - {len(policy.promises)} promise(s) in its banner or policy")
    head.append(f"  - {len(policy.cookies)} declared cookie(s), {len(policy.services)} declared service(s)")
    if policy.tcf_vendors is not None:
        head.append(f"  - {len(policy.tcf_vendors)} TCF vendor(s)")
    for source in policy.sources:
        head.append(f"  read from: {source.get('document')} — {source.get('policy_url') or source.get('url')}")
    if policy.unreadable or policy.warnings:
        head.append("Not found or not readable (rules needing these report outcome error, never a pass):")
        head += [f"  - {w}" for w in (*policy.unreadable.values(), *policy.warnings)]
    if not policy.found_anything:
        head.append("NOTHING DECLARED WAS FOUND: this pack only says so; it passes nothing.")
    head.append("Review before use: a drafted rule is only as good as the sentence or table row it cites.")
    out = [_comment(head), _dump({"pack": data["pack"]})]
    out.append("\n" + _comment(["What the site declares (docs/rules.md, 'Your site's own policy')."]))
    out.append(_dump({"declarations": data["declarations"]}))
    out.append("\nrules:\n")
    if not data["rules"]:
        out.append("  []\n")
    for rule in data["rules"]:
        quote = rule["source"].get("quote")
        note = f"from « {quote} »" if quote else f"checks the declarations read from {rule['source'].get('document')}"
        out.append("\n" + _comment([note]).replace("# ", "  # ", 1))
        out.append("".join("  " + line + "\n" for line in _dump([rule]).splitlines()))
    return "".join(out)
