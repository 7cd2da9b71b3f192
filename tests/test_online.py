"""Opt-in checks against real news sites (``pytest -m online``); never run by default or in CI.

They tell whether the consent interaction still works on the real banners the fixtures imitate.
Sites change: a failure here is a reason to look, with ``consent-audit probe URL``, not a verdict.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.config import AuditOptions, SiteConfig
from auditor.run import AuditPlan, run

pytestmark = [pytest.mark.online, pytest.mark.browser]

SITES = ("https://www.lemonde.fr/", "https://www.lefigaro.fr/", "https://www.bbc.co.uk/news")


@pytest.mark.parametrize("url", SITES)
def test_real_site_is_audited_in_three_phases(url: str, tmp_path: Path) -> None:
    result = run(AuditPlan(sites=(SiteConfig(url=url),), options=AuditOptions(), out_dir=tmp_path)).sites[0]
    assert result.status == "ok", result.error
    assert set(result.phases) == {"before", "reject", "accept"}
    before = result.phases["before"]
    assert before.requests and before.cookies is not None
    accept = result.phases["accept"]
    assert accept.consent is not None and accept.consent.clicked, accept.consent
