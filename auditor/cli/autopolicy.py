"""``audit --policy auto``: each site's own policy drafted before the audit and applied in the same run.

One extra visit per site (:func:`auditor.declared.visit.read_sites`, one browser for all, timed and
reported), before the audit's phases. Each drafted pack is written to ``OUT/policies/<host>.yaml`` and
added to that site's packs, so ``results.json`` records it in ``SiteResult.rule_packs`` and ``check`` /
``report`` replay it. A site whose declarations could not be read gets a pack that says so: its
declaration rules report outcome ``error``, never a pass.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import time
from pathlib import Path

from auditor.config import AuditOptions, SiteConfig

POLICY_DIR = "policies"
"""Folder of ``OUT`` holding the drafted packs."""


def draft_policies(sites: list[SiteConfig], options: AuditOptions, out: Path, *, reuse: bool) -> list[SiteConfig]:
    """Draft, write and attach each site's own policy pack; ``reuse``: keep a pack already drafted (``--resume``)."""
    from auditor.declared import draft_policy, pack_yaml
    from auditor.declared.visit import read_sites
    from auditor.formats.text import printable
    from auditor.party import host_of

    folder = out / POLICY_DIR
    paths = {s.url: (folder / f"{host_of(s.url) or 'site'}.yaml").resolve() for s in sites}
    todo = [s for s in sites if not (reuse and paths[s.url].is_file())]
    started = time.monotonic()
    readings = asyncio.run(read_sites(todo, dataclasses.replace(options, screenshots=False))) if todo else []
    elapsed = time.monotonic() - started
    folder.mkdir(parents=True, exist_ok=True)
    for reading in readings:
        policy = draft_policy(reading.inputs)
        paths[reading.site.url].write_text(pack_yaml(policy, extends=()), encoding="utf-8")
        print(
            printable(
                f"policy of {policy.host}: {len(policy.promises)} promise(s), {len(policy.cookies)} declared cookie(s),"
                f" {len(policy.services)} service(s), read in {reading.seconds:.1f} s (one extra visit)"
            ),
            file=sys.stderr,
        )
        for warning in (*policy.unreadable.values(), *policy.warnings):
            print(printable(f"warning: {policy.host}: {warning}"), file=sys.stderr)
    if readings:
        print(
            f"drafted {len(readings)} site policy(ies) in {elapsed:.1f} s, {options.concurrency} at a time → {folder}",
            file=sys.stderr,
        )
    return [dataclasses.replace(s, rules=(*s.rules, str(paths[s.url]))) for s in sites]
