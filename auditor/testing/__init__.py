"""Consent checks inside a publisher's own end-to-end suite: a pytest plugin built on pytest-playwright.

* :func:`audit_sites` — the three-phase audit of ``consent-audit audit`` (same pipeline, same runner),
  run on an event loop of its own in a worker thread so it coexists with pytest-playwright's sync API;
* :class:`ConsentPage` — reject or accept on the test's own pytest-playwright ``page``, snapshot what it
  stores and sends, and assert that the rule packs find nothing (:class:`ConsentAssertionError`);
* :mod:`auditor.testing.plugin` — the ``pytest11`` entry point: fixtures ``consent_audit`` and
  ``consent_page``, the ``consent`` marker, and the ``--consent-*`` options / ini values.

See ``docs/pytest-plugin.md``.
"""

from __future__ import annotations

from auditor.testing.audit import audit_sites, in_worker_thread
from auditor.testing.page import ConsentAssertionError, ConsentPage, describe_finding, phase_failures
from auditor.testing.settings import ConsentSettings

__all__ = [
    "ConsentAssertionError",
    "ConsentPage",
    "ConsentSettings",
    "audit_sites",
    "describe_finding",
    "in_worker_thread",
    "phase_failures",
]
