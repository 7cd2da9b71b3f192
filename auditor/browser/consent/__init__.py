"""Finding and pressing consent controls: the site's configuration first, then CMP adapters, then labels.

One *scan* looks at every frame of the page with one ``evaluate`` per frame (``js/scan.js``): it lists
the visible controls (piercing open shadow roots), recognises the consent managers of
:mod:`auditor.browser.cmp` by their signatures and tags the controls their selectors name. The prompts
on the page are grouped and the consent dialog chosen among them (:mod:`.dialog`): controls are chosen
only inside it, never in a newsletter or login prompt beside it. The search for a control is then a
list of *finders* tried in order on that scan (:data:`FINDERS`): the site's configuration, the
recognised CMP's adapters, then text heuristics. When reject is not on the first layer, :func:`choose`
opens the settings layer and looks again there (unticking pre-ticked options before saving when there
is no reject control), recording every click in the action's steps. What the click did is checked
afterwards by :mod:`auditor.browser.confirm`, against the consent stores read by :mod:`.stores`.

Modules, along the seams: :mod:`.scan`, :mod:`.dialog`, :mod:`.finders` (finders, clicking, waiting for
a banner), :mod:`.evidence` (banner evidence and screenshot), :mod:`.choose`, :mod:`.wayback` (the way
back to the choices once made, for the ``withdraw`` phase), :mod:`.probe`
(``consent-audit probe``) and :mod:`.stores`. The names below are the public interface
(``from auditor.browser import consent; consent.choose(...)``).
"""

from auditor.browser.consent.choose import (
    MAX_UNTICK,
    ChoiceOutcome,
    DialogTarget,
    choose,
    engine_choose,
    pre_ticked,
)
from auditor.browser.consent.dialog import DialogChoice, choose_dialog
from auditor.browser.consent.evidence import BannerShot, banner_evidence, screenshot_banner
from auditor.browser.consent.finders import FINDERS, Candidate, Finder, click, find, wait_for_controls
from auditor.browser.consent.probe import PlannedClick, ProbeReport, probe_page
from auditor.browser.consent.scan import SCAN_JS, Control, Detection, PageScan, scan

__all__ = [
    "FINDERS",
    "MAX_UNTICK",
    "SCAN_JS",
    "BannerShot",
    "Candidate",
    "ChoiceOutcome",
    "Control",
    "Detection",
    "DialogChoice",
    "DialogTarget",
    "Finder",
    "PageScan",
    "PlannedClick",
    "ProbeReport",
    "banner_evidence",
    "choose",
    "choose_dialog",
    "click",
    "engine_choose",
    "find",
    "pre_ticked",
    "probe_page",
    "scan",
    "screenshot_banner",
    "wait_for_controls",
]
