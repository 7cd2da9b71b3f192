"""Synthetic fixture sites: many distinct news sites built from one template (benchmarks, scale tests).

Each host gets its own folder, a copy of :data:`TEMPLATE` (a typical news front page with the shared
banner and a few trackers), so the sites are distinct registrable domains like a real site list::

    root = make_sites_dir(tmp, synthetic_hosts("banc-essai", 20))
    with FixtureWeb(sites_dir=root) as web: ...
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "templates" / "news-site"
"""The page every synthetic site serves (its banner script comes from the fixture web's ``_common``)."""


def synthetic_hosts(prefix: str, count: int) -> list[str]:
    """``count`` distinct host names ``www.PREFIX-0001.fr`` ... (distinct registrable domains)."""
    return [f"www.{prefix}-{index:04d}.fr" for index in range(1, count + 1)]


def make_sites_dir(root: Path, hosts: Sequence[str], template: Path = TEMPLATE) -> Path:
    """Fill ``root`` with one folder per host, each a copy of ``template``; returns ``root`` (a ``sites_dir``)."""
    root.mkdir(parents=True, exist_ok=True)
    for host in hosts:
        shutil.copytree(template, root / host)
    return root
