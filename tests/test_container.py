"""The container image: the Dockerfile's files exist, its steps are checked scripts, and Chromium keeps its sandbox.

No Docker engine here, so the image is not built: its RUN steps live in ``docker/install.sh`` (bash -n,
shellcheck), and the sandbox wrapper is run for real, also as a non-root user with Debian's Chromium.
"""

from __future__ import annotations

import fnmatch
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import support

from auditor.config import find_browser
from auditor.yamlutil import ConfigError

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
WRAPPER = ROOT / "docker" / "chromium-sandboxed"
SCRIPTS = [ROOT / "docker" / "install.sh", WRAPPER]
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _ignored(path: str) -> bool:
    patterns = [p.strip() for p in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()]
    return any(p and not p.startswith("#") and fnmatch.fnmatch(path, p.removeprefix("**/")) for p in patterns)


def test_dockerfile_base_user_entrypoint_and_no_sandbox_escape() -> None:
    steps = _instructions()
    base = [args for word, args in steps if word == "FROM"]
    assert len(base) == 1 and base[0].split(":")[0] == "debian" and base[0].endswith(("bookworm-slim", "trixie-slim"))
    users = [args for word, args in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert ("ENTRYPOINT", '["consent-audit"]') in steps
    assert "--no-sandbox" not in DOCKERFILE.read_text(encoding="utf-8")
    env = " ".join(args for word, args in steps if word == "ENV")
    assert "CONSENT_AUDIT_BROWSER=/usr/local/bin/chromium-sandboxed" in env


def test_every_copy_source_exists_and_is_sent_to_the_build() -> None:
    copies = [shlex.split(args) for word, args in _instructions() if word == "COPY"]
    assert copies
    destinations: dict[str, str] = {}
    for *sources, dest in copies:
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
            assert not _ignored(source), f"COPY {source}: excluded by .dockerignore"
            destinations[dest] = source
    # Everything hatch packs (pyproject force-include) is copied beside pyproject.toml.
    for needed in ("pyproject.toml", "README.md", "auditor", "rules", "reports"):
        assert any(needed in sources for *sources, _ in copies), needed
    assert destinations["/usr/local/bin/chromium-sandboxed"] == "docker/chromium-sandboxed"


def test_every_run_step_is_a_subcommand_of_the_copied_install_script() -> None:
    copied = {dest: src for *srcs, dest in (shlex.split(a) for w, a in _instructions() if w == "COPY") for src in srcs}
    runs = [shlex.split(args) for word, args in _instructions() if word == "RUN"]
    assert runs
    script_text = (ROOT / "docker/install.sh").read_text(encoding="utf-8")
    for run in runs:
        assert run[0] == "bash" and run[1] in copied, f"RUN must call a copied script: {run}"
        assert (ROOT / copied[run[1]]).is_file()
        assert f"  {run[2]})" in script_text, f"install.sh has no '{run[2]}' step"


def test_container_scripts_pass_bash_n_and_shellcheck() -> None:
    for script in SCRIPTS:
        subprocess.run(["bash", "-n", str(script)], check=True)
        assert os.access(script, os.X_OK), f"{script} is not executable"
    usage = subprocess.run(["bash", str(ROOT / "docker/install.sh")], capture_output=True, text=True)
    assert usage.returncode == 2 and "usage" in usage.stderr
    if shutil.which("shellcheck") is None:
        # An optional linter (bash -n above always runs): .ci/run does not install it.
        support.unavailable("shellcheck is not installed (apt-get install shellcheck)")
    subprocess.run(["shellcheck", "--severity=warning", *map(str, SCRIPTS)], check=True)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory a plain user can reach (pytest's tmp_path sits under a root-only folder)."""
    with tempfile.TemporaryDirectory(prefix="consent-audit-container-") as name:
        path = Path(name)
        path.chmod(0o777)
        yield path


def _fake_chromium(directory: Path) -> Path:
    fake = directory / "fake-chromium"
    fake.write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n', encoding="utf-8")
    fake.chmod(0o755)
    return fake


def _wrapped_args(fake: Path, *prefix: str) -> list[str]:
    args = ["--headless", "--no-sandbox", "--host-resolver-rules=MAP a.example 127.0.0.1", "about:blank"]
    env = {"PATH": os.environ["PATH"], "CONSENT_AUDIT_REAL_CHROMIUM": str(fake)}
    done = subprocess.run([*prefix, str(WRAPPER), *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def test_wrapper_drops_no_sandbox_for_a_plain_user_only(shared_dir: Path) -> None:
    fake = _fake_chromium(shared_dir)
    if os.geteuid() == 0:
        assert _wrapped_args(fake) == [
            "--headless",
            "--no-sandbox",
            "--host-resolver-rules=MAP a.example 127.0.0.1",
            "about:blank",
        ]
        if shutil.which("setpriv") is None:
            support.unavailable("setpriv (util-linux) is needed to run the wrapper as a plain user")
        plain = _wrapped_args(fake, *NOBODY)
    else:
        plain = _wrapped_args(fake)
    assert plain == ["--headless", "--host-resolver-rules=MAP a.example 127.0.0.1", "about:blank"]


@pytest.mark.browser
def test_debian_chromium_runs_sandboxed_as_a_plain_user(shared_dir: Path) -> None:
    real = Path("/usr/lib/chromium/chromium")
    if not real.is_file():
        support.unavailable("Debian's chromium is not installed (the image's browser)")
    try:
        find_browser(str(WRAPPER))  # the auditor accepts the wrapper as its browser
    except ConfigError as exc:
        pytest.fail(str(exc))
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        support.unavailable("setpriv (util-linux) is needed to run Chromium as a plain user")
    home = shared_dir
    prefix = NOBODY if os.geteuid() == 0 else []
    page = "data:text/html,<p id=x>sandboxed</p>"
    done = subprocess.run(
        [
            *prefix,
            "env",
            f"HOME={home}",
            str(WRAPPER),
            "--headless",
            "--no-sandbox",
            f"--user-data-dir={home / 'profile'}",
            "--dump-dom",
            page,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Without --no-sandbox, Chromium refuses to start when it cannot sandbox ("No usable sandbox!").
    assert done.returncode == 0, done.stderr[-2000:]
    assert "sandboxed" in done.stdout
    assert "No usable sandbox" not in done.stderr
