"""Shared fixtures: the local fixture web and a helper that audits fixture sites in one run."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from fixtureweb_sites import make_web

from auditor.config import AuditOptions, SiteConfig
from auditor.fixtureweb import FixtureWeb
from auditor.model import RunResult
from auditor.run import AuditPlan, run


@pytest.fixture(scope="session")
def fixture_web() -> Iterator[FixtureWeb]:
    """The local fixture web (HTTPS + HTTP on ephemeral loopback ports), one per test session.

    It serves the package's sites and the tests' ones (``tests/fixtures/sites``, :mod:`fixtureweb_sites`)."""
    with make_web() as web:
        yield web


AuditFn = Callable[..., RunResult]


@pytest.fixture(scope="session")
def audit_fixture_sites(fixture_web: FixtureWeb, tmp_path_factory: pytest.TempPathFactory) -> AuditFn:
    """Audit fixture sites (by host name or SiteConfig) in one run into ``out``; returns the RunResult."""

    def audit(sites: Sequence[str | SiteConfig], out: Path | None = None, **options: object) -> RunResult:
        configs = tuple(s if isinstance(s, SiteConfig) else SiteConfig(url=fixture_web.url(s, "/")) for s in sites)
        extra = tuple(options.pop("extra_browser_args", ()))  # type: ignore[call-overload]
        opts = AuditOptions(extra_browser_args=(*fixture_web.chromium_args, *extra), **options)  # type: ignore[arg-type]
        out_dir = out if out is not None else Path(tmp_path_factory.mktemp("audit"))
        return run(AuditPlan(sites=configs, options=opts, out_dir=out_dir, arguments=("pytest",)))

    return audit


@pytest.fixture(autouse=True, scope="session")
def _empty_data_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test (nor the CLI it runs) reads the developer's data cache: ``$CONSENT_AUDIT_DATA`` is an empty folder."""
    import os

    saved = os.environ.get("CONSENT_AUDIT_DATA")
    os.environ["CONSENT_AUDIT_DATA"] = str(tmp_path_factory.mktemp("data-cache"))
    yield
    if saved is None:
        os.environ.pop("CONSENT_AUDIT_DATA", None)
    else:
        os.environ["CONSENT_AUDIT_DATA"] = saved
