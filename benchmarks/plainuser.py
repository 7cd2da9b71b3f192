"""Running a child command line of the auditor as a plain (non-root) user, from a root shell (issue 17).

Chromium's sandbox refuses root, so a sandboxed run on a root-only machine starts the audit as another
user with ``setpriv``. That user must be able to execute a Python interpreter and import the auditor and
its dependencies. The venv's ``python`` often cannot be used: it is a symlink into the installing user's
home (``/root/.pyenv/...``, mode 0700), which the plain user cannot traverse. :func:`plain_user_runner`
therefore probes, as that user, the current interpreter and then the system's interpreter of the same
``major.minor`` version (same ABI, so the venv's compiled packages load) with the checkout and the venv's
``site-packages`` on ``PYTHONPATH``, and keeps the first that imports the auditor.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

PROBE = "import auditor.cli, playwright, psutil, yaml"
"""What the plain user's interpreter must be able to import."""


@dataclass(frozen=True)
class PlainUserRunner:
    """How to start ``python -m auditor ...`` as another user."""

    user: str
    prefix: tuple[str, ...]
    """``setpriv --reuid=… --regid=… --clear-groups`` (empty when already running as that user)."""
    interpreter: str
    """A Python interpreter the user can execute."""
    pythonpath: str
    """``PYTHONPATH`` giving that interpreter the checkout (and, for a system interpreter, the venv's packages)."""

    def command(self, args: list[str], env: dict[str, str]) -> list[str]:
        """``args`` (what follows the interpreter: ``["-m", "auditor", …]``) run as the user.

        The child gets only ``env`` and ``PYTHONPATH`` (``env -i``): nothing of root's environment leaks in."""
        variables = [f"{name}={value}" for name, value in {**env, "PYTHONPATH": self.pythonpath}.items()]
        return [*self.prefix, "env", "-i", *variables, self.interpreter, *args]


def _setpriv(user: str) -> tuple[str, ...]:
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        raise SystemExit(f"--as-user {user}: no such user") from None
    if os.geteuid() == entry.pw_uid:
        return ()
    if os.geteuid() != 0:
        raise SystemExit(f"--as-user {user}: only root can run the audit as another user")
    if shutil.which("setpriv") is None:
        raise SystemExit("--as-user needs setpriv (util-linux)")
    return ("setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--clear-groups")


def _candidates(root: Path) -> list[tuple[str, str]]:
    """(interpreter, PYTHONPATH) pairs to try, the current interpreter first."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    packages = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    with_packages = os.pathsep.join([str(root), *packages])
    found = [(sys.executable, str(root))]
    for name in (f"/usr/bin/{version}", f"/usr/local/bin/{version}", shutil.which(version)):
        if name and os.path.isfile(name) and os.path.realpath(name) != os.path.realpath(sys.executable):
            found.append((name, with_packages))
    return list(dict.fromkeys(found))


def plain_user_runner(user: str, root: Path) -> PlainUserRunner:
    """A :class:`PlainUserRunner` for ``user`` whose interpreter was checked to import the auditor from ``root``.

    Raises :class:`SystemExit` with every probe's error when no interpreter works for that user."""
    prefix = _setpriv(user)
    errors = []
    for interpreter, pythonpath in _candidates(root):
        probe = PlainUserRunner(user, prefix, interpreter, pythonpath)
        env = {"HOME": "/tmp", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        done = subprocess.run(probe.command(["-c", PROBE], env), capture_output=True, text=True, timeout=120, cwd="/")
        if done.returncode == 0:
            return probe
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        errors.append(f"{interpreter}: {last}")
    listed = "\n  ".join(errors)
    raise SystemExit(f"--as-user {user}: no Python interpreter this user can run imports the auditor:\n  {listed}")
