"""The GitHub Action: action.yml is well formed, and its script steps run locally against the fixture web."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import support
import yaml

from auditor.fixtureweb import FixtureWeb

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
SCRIPTS = sorted((ROOT / "scripts").glob("action-*.sh"))


def _action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return data


def test_action_is_a_composite_action_with_documented_inputs() -> None:
    action = _action()
    assert action["name"] and action["description"]
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    for name in ("urls", "sites", "rules", "fail-on", "baseline", "formats"):
        assert name in inputs, name
    for name, spec in inputs.items():
        assert spec.get("description"), f"input {name} has no description"
        assert "default" in spec or spec.get("required"), f"input {name} has neither a default nor required"


def test_every_input_is_used_and_every_step_is_pinned_or_a_repo_script() -> None:
    action = _action()
    steps = action["runs"]["steps"]
    runs_text = yaml.safe_dump(action["runs"])
    for name in action["inputs"]:
        assert f"inputs.{name} " in runs_text or f"inputs.{name}}}" in runs_text, f"input {name} is never used"
    uses = [s["uses"] for s in steps if "uses" in s]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert any(u.startswith("actions/upload-artifact@") for u in uses)
    for ref in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@(v\d+(\.\d+)*|[0-9a-f]{40})", ref), f"step not pinned: {ref}"
    for step in steps:
        if "run" in step:
            assert step.get("shell") == "bash", step
            scripts = re.findall(r"\$GITHUB_ACTION_PATH/(scripts/[\w.-]+\.sh)", step["run"])
            assert scripts, f"inline logic belongs in a script: {step['run']!r}"
            for script in scripts:
                assert (ROOT / script).is_file(), script
    for output in action["outputs"].values():
        step_id = re.search(r"steps\.(\w+)\.outputs", output["value"])
        assert step_id and any(s.get("id") == step_id.group(1) for s in steps)


def test_action_scripts_pass_bash_n_and_shellcheck() -> None:
    assert SCRIPTS
    for script in SCRIPTS:
        subprocess.run(["bash", "-n", str(script)], check=True)
    if shutil.which("shellcheck") is None:
        # An optional linter (bash -n above always runs): .ci/run does not install it.
        support.unavailable("shellcheck is not installed (apt-get install shellcheck)")
    subprocess.run(["shellcheck", "--severity=warning", *map(str, SCRIPTS)], check=True)


def _github_outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if "=" in line)


def _script_env(tmp_path: Path, **inputs: str) -> dict[str, str]:
    """The environment of a runner step, with GITHUB_* files in ``tmp_path`` and this worktree's code."""
    consent_audit = Path(sys.executable).parent / "consent-audit"
    if not consent_audit.exists():
        support.unavailable(f"the consent-audit command is not installed beside {sys.executable}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    env.update(
        GITHUB_ACTIONS="true",
        GITHUB_OUTPUT=str(tmp_path / "github_output"),
        GITHUB_STEP_SUMMARY=str(tmp_path / "step_summary.md"),
        GITHUB_ACTION_PATH=str(ROOT),
        CONSENT_AUDIT=str(consent_audit),
        PYTHONPATH=str(ROOT),  # the worktree's auditor, whichever checkout the command was installed from
    )
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    return env


@pytest.mark.browser
def test_run_script_audits_writes_outputs_and_summary_then_verdict_fails(
    tmp_path: Path, fixture_web: FixtureWeb
) -> None:
    out = tmp_path / "out"
    env = _script_env(
        tmp_path,
        urls="https://www.gazette-pisteurs.fr/\nhttps://www.journal-conforme.fr/",
        rules="baseline cnil",
        fail_on="error",
        formats="markdown",
        browser_args="\n".join(fixture_web.chromium_args),
        out=str(out),
    )
    done = subprocess.run(
        ["bash", str(ROOT / "scripts/action-run.sh")], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr  # the uploads must still run after findings
    outputs = _github_outputs(tmp_path / "github_output")
    assert outputs["exit-code"] == "1", done.stderr
    results = json.loads(Path(outputs["results"]).read_text(encoding="utf-8"))
    assert results["rule_packs"] == ["baseline", "cnil"]
    assert {s["url"] for s in results["sites"]} == {
        "https://www.gazette-pisteurs.fr/",
        "https://www.journal-conforme.fr/",
    }
    sarif = json.loads(Path(outputs["sarif"]).read_text(encoding="utf-8"))
    assert any("gazette-pisteurs" in json.dumps(r) for r in sarif["runs"][0]["results"])
    assert (out / "report.html").is_file() and (out / "summary.md").is_file()
    summary = (tmp_path / "step_summary.md").read_text(encoding="utf-8")
    assert "gazette-pisteurs" in summary
    assert "::error" in done.stderr  # workflow annotations from the CLI (on stderr: stdout stays machine output)
    verdict = subprocess.run(
        ["bash", str(ROOT / "scripts/action-verdict.sh")],
        env={**env, "AUDIT_EXIT_CODE": outputs["exit-code"]},
        capture_output=True,
        text=True,
    )
    assert verdict.returncode == 1
    assert "::error::consent-audit: findings" in verdict.stdout


@pytest.mark.parametrize(("code", "expected"), [("0", 0), ("2", 2), ("3", 3), ("", 2)])
def test_verdict_script_passes_only_a_clean_audit(code: str, expected: int, tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts/action-verdict.sh")],
        env={"PATH": os.environ["PATH"], "AUDIT_EXIT_CODE": code},
        capture_output=True,
        text=True,
    )
    assert done.returncode == expected
    assert ("::error::" in done.stdout) == (expected != 0)
