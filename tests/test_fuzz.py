"""Property-based fuzzing of every file the tool reads (issue 17, item 4).

Valid documents (a sites.yaml, a rule pack, a knowledge file, a baseline, a saved results.json) are
damaged by hypothesis — a value replaced, a key dropped or added, text spliced in — and given to the
commands that read them. Whatever the damage, the command either accepts the file or says what is
wrong with it, naming the file, with exit code 2: never a traceback.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import auditor.cli  # noqa: F401  (registers the commands)
from auditor.cli.app import app
from auditor.config import load_sites
from auditor.yamlutil import ConfigError

ROOT = Path(__file__).resolve().parent.parent
RUN1 = ROOT / "tests" / "data" / "results" / "run1" / "results.json"
RULE_PACK = ROOT / "rules" / "baseline.yaml"
FUZZ = settings(
    max_examples=50,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: the suite stays bounded
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ_SLOW = settings(FUZZ, max_examples=25)
"""For the commands that evaluate a whole run per example (``check``)."""

SITES_SEED: dict[str, Any] = {
    "defaults": {"locale": "fr-FR", "timezone": "Europe/Paris"},
    "sites": [
        "https://www.example.fr/",
        {
            "url": "https://www.journal.fr/",
            "name": "Le Journal",
            "first_party": ["journal-cdn.net"],
            "consent": {"reject": {"label": "Continuer sans accepter"}, "accept": {"selector": "#agree"}},
        },
    ],
}
BASELINE_SEED: dict[str, Any] = {
    "accepted": [
        {
            "rule": "cnil-tracker-lifetime",
            "site": "www.example.fr",
            "phase": "accept",
            "name": "_ga*",
            "reason": "Analytics migration, ticket ANA-42",
            "expires": "2026-06-30",
        }
    ]
}
KNOWLEDGE_SEED: dict[str, Any] = {
    "version": 1,
    "cookies": [
        {
            "name": "maison_uid",
            "entity": "Maison",
            "vendor": "Maison Analytics",
            "category": "analytics",
            "tracker": True,
            "lifetime": "1 year",
            "purpose": "Visitor id.",
            "source": "https://www.example.fr/cookies",
        }
    ],
}

SCALARS = st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats(allow_nan=False) | st.text(max_size=12)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON-like document (the root included)."""
    found = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found.extend(paths(value, (*prefix, key)))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found.extend(paths(value, (*prefix, index)))
    return found


@st.composite
def damaged(draw: st.DrawFn, seed: Any) -> Any:
    """``seed`` with one place replaced, removed, or given an extra key."""
    doc = copy.deepcopy(seed)
    where = draw(st.sampled_from(paths(doc)))
    if not where:
        return draw(VALUES)
    parent = doc
    for step in where[:-1]:
        parent = parent[step]
    action = draw(st.sampled_from(["replace", "remove", "extra"]))
    if action == "replace":
        parent[where[-1]] = draw(VALUES)
    elif action == "remove":
        del parent[where[-1]]
    elif isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=8))] = draw(VALUES)
    else:
        parent.append(draw(VALUES))
    return doc


@st.composite
def damaged_text(draw: st.DrawFn, text: str) -> str:
    """``text`` with a random string spliced in at a random place (or cut there)."""
    at = draw(st.integers(0, len(text)))
    if draw(st.booleans()):
        return text[:at]
    return text[:at] + draw(st.text(max_size=20)) + text[at + draw(st.integers(0, 20)) :]


def yaml_documents(seed: Any, text: str | None = None) -> st.SearchStrategy[str]:
    """YAML texts made from ``seed``: damaged structures, damaged text, or anything at all."""
    source = text if text is not None else yaml.safe_dump(seed, allow_unicode=True, sort_keys=False)
    return st.one_of(
        damaged(seed).map(lambda d: yaml.safe_dump(d, allow_unicode=True, sort_keys=False)),
        damaged_text(source),
        st.text(max_size=40),
    )


def invoke(args: list[str]) -> tuple[int, str]:
    """Run the command line in-process: (exit code, everything it printed); fails on a traceback."""
    result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in output, output
    return result.exit_code, output


def assert_accepted_or_explained(code: int, output: str, path: Path, accepted: tuple[int, ...]) -> None:
    """Either an exit code a good file gives, or 2 with an error naming ``path``."""
    if code == 2:
        assert "error" in output and path.name in output, output
    else:
        assert code in accepted, (code, output)


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """RUN1 judged by the built-in ``core`` pack (its own list names a site pack only its run had)."""
    data = json.loads(RUN1.read_text(encoding="utf-8"))
    data["rule_packs"] = ["core"]
    path = Path(tmp_path_factory.mktemp("saved")) / "results.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# --- configuration files ------------------------------------------------------------------------------


@FUZZ
@given(text=yaml_documents(SITES_SEED))
def test_sites_yaml_is_accepted_or_rejected_with_file_and_line(tmp_path_factory: Any, text: str) -> None:
    path = Path(tmp_path_factory.mktemp("sites")) / "sites.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_sites(path)
    except ConfigError as exc:
        assert str(exc).startswith(str(path)) or "sites.yaml" in str(exc), str(exc)


@FUZZ
@given(
    text=yaml_documents(yaml.safe_load(RULE_PACK.read_text(encoding="utf-8")), RULE_PACK.read_text(encoding="utf-8"))
)
def test_rule_packs_are_validated_without_a_traceback(tmp_path_factory: Any, text: str) -> None:
    path = Path(tmp_path_factory.mktemp("pack")) / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    code, output = invoke(["rules", "validate", str(path)])
    assert_accepted_or_explained(code, output, path, (0,))


@FUZZ_SLOW
@given(text=yaml_documents(KNOWLEDGE_SEED))
def test_knowledge_files_are_checked_without_a_traceback(tmp_path_factory: Any, saved_run: Path, text: str) -> None:
    path = Path(tmp_path_factory.mktemp("knowledge")) / "maison.yaml"
    path.write_text(text, encoding="utf-8")
    code, output = invoke(
        ["check", str(saved_run), "--knowledge", str(path), "--output", str(path.with_suffix(".json"))]
    )
    assert_accepted_or_explained(code, output, path, (0, 1, 3))


@FUZZ_SLOW
@given(text=yaml_documents(BASELINE_SEED))
def test_baselines_are_checked_without_a_traceback(tmp_path_factory: Any, saved_run: Path, text: str) -> None:
    path = Path(tmp_path_factory.mktemp("baseline")) / "baseline.yaml"
    path.write_text(text, encoding="utf-8")
    code, output = invoke(
        ["check", str(saved_run), "--baseline", str(path), "--output", str(path.with_suffix(".json"))]
    )
    assert_accepted_or_explained(code, output, path, (0, 1, 3))


# --- saved results ------------------------------------------------------------------------------------

RESULTS_SEED: dict[str, Any] = {**json.loads(RUN1.read_text(encoding="utf-8")), "rule_packs": ["core"]}
RESULTS_TEXTS = st.one_of(
    damaged(RESULTS_SEED).map(json.dumps),
    damaged_text(json.dumps(RESULTS_SEED, indent=1)),
    st.text(max_size=40),
)


@settings(FUZZ, max_examples=60)
@given(text=RESULTS_TEXTS, command=st.sampled_from(["report", "check", "compare", "diff"]))
def test_damaged_results_are_read_or_rejected_without_a_traceback(
    tmp_path_factory: Any, text: str, command: str
) -> None:
    folder = Path(tmp_path_factory.mktemp("results"))
    path = folder / "results.json"
    path.write_text(text, encoding="utf-8")
    out = folder / "out.txt"
    args = {
        "report": ["report", str(path), "--format", "json", "--output", str(out)],
        "check": ["check", str(path), "--output", str(out)],
        "compare": ["compare", str(RUN1), str(path), "--format", "json", "--output", str(out)],
        "diff": ["diff", str(RUN1), str(path), "--format", "json", "--output", str(out)],
    }[command]
    code, output = invoke(args)
    assert_accepted_or_explained(code, output, path, (0, 1, 3))
