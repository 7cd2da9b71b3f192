"""DuckDuckGo's autoconsent (MPL-2.0, vendored unmodified) as a consent engine beside the auditor's own.

:mod:`.vendored` reads the vendored content script and rules (version and integrity for provenance);
:mod:`.engine` runs the content script in a page and answers its messages (:class:`AutoconsentSession`).
:func:`auditor.browser.consent.choose` uses it only when the auditor's own finders (configuration,
CMP adapters, label heuristics) find nothing on the first scan, and every choice it makes is confirmed
by :mod:`auditor.browser.confirm` like any other.
"""

from auditor.browser.autoconsent.engine import CONFIG, AutoconsentResult, AutoconsentSession
from auditor.browser.autoconsent.vendored import Rule, Vendored, engine_id, vendored

__all__ = ["CONFIG", "AutoconsentResult", "AutoconsentSession", "Rule", "Vendored", "engine_id", "vendored"]
