"""Generated files stay in sync with their sources: docs/rules.md (rule metadata) and the rule-pack JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from auditor.policy import load_builtin_rules, rule_markdown, rules_doc_markdown
from auditor.policy.docs import builtin_doc
from auditor.policy.schema import rulepack_schema, schema_text
from auditor.resources import schema_path
from auditor.yamlutil import load_yaml

ROOT = Path(__file__).resolve().parents[1]
REGENERATE = "run `python -m auditor.policy` to regenerate it"


def test_docs_rules_md_is_up_to_date() -> None:
    assert (ROOT / "docs" / "rules.md").read_text("utf-8") == builtin_doc(), f"docs/rules.md is stale: {REGENERATE}"


def test_shipped_schema_is_up_to_date() -> None:
    shipped = schema_path("rulepack.schema.json").read_text("utf-8")
    assert shipped == schema_text(), f"auditor/schemas/rulepack.schema.json is stale: {REGENERATE}"


def test_schema_is_valid_and_accepts_every_builtin_pack() -> None:
    schema = json.loads(schema_path("rulepack.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in sorted((ROOT / "rules").rglob("*.yaml")):
        jsonschema.validate(load_yaml(path).data, rulepack_schema())


def test_docs_cite_every_rule_and_its_source() -> None:
    rules = load_builtin_rules()
    text = rules_doc_markdown(rules)
    for rule in rules:
        section = rule_markdown(rule)
        assert section in text
        assert "**Source**" in section, rule.id
    assert "### Subject `cookie`" in text and "`lifetime_days`" in text  # the language reference


def test_the_guides_examples_are_valid(tmp_path: Path) -> None:
    import re

    from auditor.policy import load_baseline, load_rules
    from auditor.policy.docs import GUIDE

    pack_text, baseline_text = re.findall(r"```yaml\n(.*?)```", GUIDE, re.S)
    (tmp_path / "my-site.yaml").write_text(pack_text, "utf-8")
    rules = load_rules([str(tmp_path / "my-site.yaml")])
    assert rules.get("cnil-tracker-lifetime").severity == "error"
    (tmp_path / "baseline.yaml").write_text(baseline_text, "utf-8")
    assert load_baseline(tmp_path / "baseline.yaml").entries[0].reason.startswith("Analytics migration")
