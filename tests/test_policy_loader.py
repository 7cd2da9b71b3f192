"""Loading rule packs: every kind of mistake is a ConfigError naming the file, the line and what is expected."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from auditor.policy import load_builtin_rules, load_rules
from auditor.policy.loader import builtin_packs
from auditor.yamlutil import ConfigError

HEAD = """\
pack:
  id: {pack_id}
  title: Test pack
{extra}rules:
"""

RULE = """\
  - id: {rule_id}
    title: A rule
    severity: error
    phases: [before]
    subject: cookie
    message: "Cookie {{name}}"
    source: {{document: test}}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def pack(tmp_path: Path, body: str, *, name: str = "p.yaml", pack_id: str = "p", extra: str = "") -> Path:
    """A pack whose rules section is ``body`` (rules start on line 5 when ``extra`` is empty)."""
    return write(tmp_path, name, HEAD.format(pack_id=pack_id, extra=extra) + body)


def load_error(*paths: Path | str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_rules([str(p) for p in paths])
    return info.value


def test_valid_pack_loads(tmp_path: Path) -> None:
    rules = load_rules([str(pack(tmp_path, RULE.format(rule_id="r1")))])
    assert rules.ids == ("r1",)
    rule = rules.get("r1")
    assert rule.pack == "p" and rule.line == 5 and rule.expect.mode == "absent"


def test_unknown_key_names_file_line_and_expected_keys(tmp_path: Path) -> None:
    body = RULE.format(rule_id="r1") + "    severty: warning\n"
    err = load_error(pack(tmp_path, body))
    assert err.file and err.file.endswith("p.yaml")
    assert err.line == 12
    assert "unknown key 'severty'" in err.message and "severity" in err.message


def test_unknown_matcher_names_the_allowed_ones(tmp_path: Path) -> None:
    body = RULE.format(rule_id="r1") + "    when:\n      party: third\n      lifetme_days: {gt: 3}\n"
    err = load_error(pack(tmp_path, body))
    assert err.line == 14
    assert "lifetme_days" in err.message and "lifetime_days" in err.message


def test_matcher_of_another_subject_kind_is_an_error(tmp_path: Path) -> None:
    body = RULE.format(rule_id="r1").replace("subject: cookie", "subject: request").replace("{name}", "{host}")
    body += "    when:\n      or:\n        - lifetime_days: {gt: 3}\n"
    err = load_error(pack(tmp_path, body))
    assert err.line == 14
    assert "rules[0].when.or[0]: unknown key 'lifetime_days'" in err.message
    allowed = err.message.split("expected one of: ")[1]
    assert "resource_type" in allowed and "lifetime_days" not in allowed


def test_bad_regex_is_reported_at_its_line(tmp_path: Path) -> None:
    body = RULE.format(rule_id="r1") + "    when:\n      name: {regex: '_ga(['}\n"
    err = load_error(pack(tmp_path, body))
    assert err.line == 13
    assert "invalid regular expression" in err.message and "_ga([" in err.message


def test_bad_enum_value(tmp_path: Path) -> None:
    body = RULE.format(rule_id="r1") + "    when:\n      party: thrid\n"
    err = load_error(pack(tmp_path, body))
    assert err.line == 13 and 'rules[0].when.party: "thrid" is not one of: "first", "third"' in err.message


def test_bad_severity(tmp_path: Path) -> None:
    body = RULE.format(rule_id="r1").replace("severity: error", "severity: critical")
    err = load_error(pack(tmp_path, body))
    assert err.line == 7
    assert '"critical" is not one of: "error", "warning", "info"' in err.message


def test_unknown_placeholder_in_message(tmp_path: Path) -> None:
    body = RULE.format(rule_id="r1").replace("Cookie {name}", "Cookie {nom}")
    err = load_error(pack(tmp_path, body))
    assert err.line == 10 and "unknown placeholder {nom}" in err.message and "lifetime_days" in err.message


def test_count_rules_only_allow_common_placeholders(tmp_path: Path) -> None:
    body = RULE.format(rule_id="r1") + "    expect: {at_most: 2}\n"
    err = load_error(pack(tmp_path, body))
    assert "unknown placeholder {name}" in err.message and "count" in err.message


def test_duplicate_id_in_one_pack(tmp_path: Path) -> None:
    err = load_error(pack(tmp_path, RULE.format(rule_id="r1") + RULE.format(rule_id="r1")))
    assert err.line == 12 and "duplicate rule id 'r1' (first defined on line 5)" in err.message


def test_duplicate_id_across_packs(tmp_path: Path) -> None:
    a = pack(tmp_path, RULE.format(rule_id="r1"), name="a.yaml", pack_id="a")
    b = pack(tmp_path, RULE.format(rule_id="r1"), name="b.yaml", pack_id="b")
    err = load_error(a, b)
    assert err.file and err.file.endswith("b.yaml") and err.line == 5
    assert "already defined in pack 'a'" in err.message


def test_duplicate_of_a_builtin_rule_id(tmp_path: Path) -> None:
    body = RULE.format(rule_id="baseline-third-party-tracker-cookie")
    err = load_error(pack(tmp_path, body, extra="  extends: [baseline]\n"))
    assert "already defined in pack 'baseline'" in err.message


def test_missing_extends_target(tmp_path: Path) -> None:
    err = load_error(pack(tmp_path, RULE.format(rule_id="r1"), extra="  extends: [baseline, nonexistent]\n"))
    assert err.line == 4
    assert "unknown rule pack 'nonexistent'" in err.message and "cnil" in err.message


def test_extends_cycle(tmp_path: Path) -> None:
    pack(tmp_path, RULE.format(rule_id="a1"), name="a.yaml", pack_id="a", extra="  extends: [b.yaml]\n")
    pack(tmp_path, RULE.format(rule_id="b1"), name="b.yaml", pack_id="b", extra="  extends: [a.yaml]\n")
    err = load_error(tmp_path / "a.yaml")
    assert "'extends' cycle" in err.message and err.line == 4


def test_duplicate_pack_id(tmp_path: Path) -> None:
    err = load_error(pack(tmp_path, RULE.format(rule_id="r1"), pack_id="baseline"), "baseline")
    assert "pack id 'baseline' is also used" in err.message


def test_unknown_pack_name_lists_the_builtins() -> None:
    err = load_error("cnill")
    assert "unknown rule pack 'cnill'" in err.message and "edpb-banner" in err.message


def test_no_pack() -> None:
    with pytest.raises(ConfigError, match="no rule pack given"):
        load_rules([])


def test_yaml_syntax_error(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, "bad.yaml", "pack: {id: x\nrules: []\n"))
    assert "invalid YAML" in err.message and err.line


def test_extends_relative_path_and_shared_base_loaded_once(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    pack(tmp_path, RULE.format(rule_id="base1"), name="sub/base.yaml", pack_id="base")
    site = pack(
        tmp_path,
        RULE.format(rule_id="site1"),
        name="site.yaml",
        pack_id="site",
        extra="  extends: [sub/base.yaml, baseline]\n",
    )
    rules = load_rules([str(site), "baseline"])
    assert rules.pack_ids == ("base", "baseline", "site")
    assert rules.ids[0] == "base1" and rules.ids[-1] == "site1"


def test_disable_and_override(tmp_path: Path) -> None:
    extra = "  extends: [cnil]\n"
    text = HEAD.format(pack_id="site", extra=extra).replace(
        "rules:\n",
        "disable: [cnil-consent-choice-duration]\n"
        "override:\n"
        "  cnil-tracker-lifetime:\n"
        "    severity: error\n"
        "    message: 'Too long: {name} ({lifetime_days:.0f} days)'\n"
        "rules: []\n",
    )
    path = write(tmp_path, "site.yaml", text)
    rules = load_rules([str(path)])
    assert "cnil-consent-choice-duration" not in rules.ids
    assert rules.disabled == {"cnil-consent-choice-duration": "site"}
    rule = rules.get("cnil-tracker-lifetime")
    assert rule.severity == "error" and rule.message.startswith("Too long") and rule.overridden_by == ("site",)
    with pytest.raises(KeyError, match="disabled by pack 'site'"):
        rules.get("cnil-consent-choice-duration")
    with pytest.raises(KeyError, match="did you mean: cnil-tracker-lifetime"):
        rules.get("cnil-tracker-lifetim")


def test_disable_unknown_rule(tmp_path: Path) -> None:
    text = HEAD.format(pack_id="site", extra="  extends: [cnil]\n").replace(
        "rules:\n", "disable: [cnil-tracker-lifetim]\nrules: []\n"
    )
    err = load_error(write(tmp_path, "site.yaml", text))
    assert (
        err.line == 5
        and "unknown rule 'cnil-tracker-lifetim'" in err.message
        and "cnil-tracker-lifetime" in err.message
    )


def test_override_outside_the_packs_extended_is_an_error(tmp_path: Path) -> None:
    text = HEAD.format(pack_id="site", extra="").replace(
        "rules:\n", "override:\n  cnil-tracker-lifetime: {severity: info}\nrules: []\n"
    )
    err = load_error(write(tmp_path, "site.yaml", text), "cnil")
    assert err.line == 5 and "not defined by this pack or the packs it extends" in err.message


def test_override_unknown_field(tmp_path: Path) -> None:
    text = HEAD.format(pack_id="site", extra="  extends: [cnil]\n").replace(
        "rules:\n", "override:\n  cnil-tracker-lifetime: {when: {party: first}}\nrules: []\n"
    )
    err = load_error(write(tmp_path, "site.yaml", text))
    assert err.line == 6 and "unknown key 'when'" in err.message


def test_group_by_must_name_fields(tmp_path: Path) -> None:
    body = RULE.format(rule_id="r1").replace("{name}", "{hostname}") + "    group_by: [hostname]\n"
    err = load_error(pack(tmp_path, body))
    assert err.line == 12 and "rules[0].group_by[0]: unknown field 'hostname'" in err.message


def test_all_builtin_packs_load_and_cite_sources() -> None:
    assert set(builtin_packs()) >= {"baseline", "cnil", "edpb-banner", "tcf", "sites/le-quotidien-demo"}
    rules = load_builtin_rules()
    assert len(rules) >= 25
    for rule in rules:
        assert rule.sources, rule.id
        assert all(s.get("document") for s in rule.sources), rule.id
        assert rule.sources[0].get("url") or rule.sources[0].get("policy_url"), rule.id
