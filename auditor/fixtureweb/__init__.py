"""The local fixture web: fake sites and trackers on 127.0.0.1 for tests, the demo and benchmarks.

Chromium reaches it through ``--host-resolver-rules`` (every host maps to the local servers; a few fault
hosts fail on purpose) and trusts its throw-away certificate by SPKI pin, so real tracker host names
and cookie names are used without anything leaving the machine. See ``README.md`` in this folder for
each site, what it plants and what a correct auditor must report. The package serves the demo and the
trackers it loads; more sites and routes come through ``FixtureWeb(sites_dirs=..., routes=...)`` (the tests'
ones are in ``tests/fixtureweb_sites.py``).
"""

from auditor.fixtureweb.catalogue import (
    ASSET_HOSTS,
    DNS_FAILURE_HOST,
    FAULT_HOSTS,
    REFUSED_HOST,
    SITES,
    TLS_ERROR_HOST,
    SiteInfo,
    site,
)
from auditor.fixtureweb.dynamic import Route
from auditor.fixtureweb.web import FixtureWeb, Hit

__all__ = [
    "ASSET_HOSTS",
    "DNS_FAILURE_HOST",
    "FAULT_HOSTS",
    "REFUSED_HOST",
    "SITES",
    "TLS_ERROR_HOST",
    "FixtureWeb",
    "Hit",
    "Route",
    "SiteInfo",
    "site",
]
