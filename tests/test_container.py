"""The container image: the Dockerfile's files exist, its steps are checked scripts, and Chromium keeps its sandbox.

No Docker engine here, so the image is not built: its RUN steps live in ``docker/install.sh`` (bash -n,
shellcheck), and the auditor's own browser session is launched for real with the sandbox the image turns on
(``CONSENT_AUDIT_SANDBOX=1``), as a non-root user with Debian's Chromium.
"""

from __future__ import annotations

import fnmatch
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import support

from auditor.config import AuditOptions, find_browser, sandbox_wanted
from auditor.yamlutil import ConfigError

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
SCRIPTS = [ROOT / "docker" / "install.sh"]
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
    assert "CONSENT_AUDIT_SANDBOX=1" in env
    assert "CONSENT_AUDIT_BROWSER" not in env  # Debian's Chromium, found like on any machine


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


SANDBOX_PROBE = """
import asyncio
import psutil
from auditor.browser.session import BrowserSession
from auditor.config import AuditOptions

async def main() -> None:
    session = BrowserSession(AuditOptions())
    await session.start()
    try:
        for child in psutil.Process().children(recursive=True):
            try:
                cmd = child.cmdline()
            except psutil.Error:  # a helper process that already exited (a zombie): nothing to read
                continue
            if cmd and cmd[0].endswith("chromium"):
                print(" ".join(cmd))
    finally:
        await session.close()

asyncio.run(main())
"""


def test_sandbox_is_refused_as_root_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    if os.geteuid() != 0:
        pytest.skip("this check is about running as root")
    monkeypatch.setenv("CONSENT_AUDIT_SANDBOX", "1")
    with pytest.raises(ConfigError, match="sandbox cannot run as root"):
        sandbox_wanted(AuditOptions())
    assert sandbox_wanted(AuditOptions(sandbox=False)) is False


@pytest.mark.browser
def test_the_audit_browser_runs_sandboxed_as_a_plain_user(shared_dir: Path) -> None:
    """What the image does: CONSENT_AUDIT_SANDBOX=1, a plain user, Debian's Chromium, the auditor's own launch."""
    try:
        find_browser()
    except ConfigError as exc:
        support.unavailable(str(exc))
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        support.unavailable("setpriv (util-linux) is needed to run Chromium as a plain user")
    prefix = NOBODY if os.geteuid() == 0 else []
    readable = subprocess.run([*prefix, "test", "-r", str(ROOT / "auditor" / "browser" / "session.py")])
    if readable.returncode != 0:
        pytest.skip(f"a plain user cannot read the checkout at {ROOT}")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(shared_dir),
        "TMPDIR": str(shared_dir),
        "PYTHONPATH": str(ROOT),
        "CONSENT_AUDIT_SANDBOX": "1",
    }
    done = subprocess.run(
        [*prefix, sys.executable, "-c", SANDBOX_PROBE], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-2000:]
    browsers = [line for line in done.stdout.splitlines() if "--type=" not in line]
    assert browsers, f"no Chromium browser process seen: {done.stdout[-1000:]}"
    assert all("--no-sandbox" not in line for line in done.stdout.splitlines()), done.stdout[-2000:]
