"""Which of the prompts on a page is the consent dialog: controls are chosen only inside it.

A page can show several prompts at once: the cookie banner and, beside it, a newsletter pop-up
(« Non merci »), a paywall, a login or an app-install invitation. The scan groups its controls by
container (the ``data-consent-audit-box`` element: a dialog, a fixed or sticky layer, an element
named like a banner) or, for a child frame without one, by frame. Each group is scored:

* the vocabulary of its text and of its attributes (``id``, ``class``, ``aria-label``), read by
  :func:`auditor.browser.vocabulary.read_dialog` in eight languages: its consent score, and whether it
  is rather a newsletter, paywall, login, app-install or notifications prompt (then it is set aside);
* a consent manager's signature: a control named by an adapter's selector, or inside its UI root
  (a CMP's container is a consent dialog whatever its text says).

The best consent-scored group is *the* dialog (:class:`DialogChoice`); the others are reported with
why they were set aside. When no group shows any consent vocabulary nor a CMP, no dialog is chosen
and the finders fall back to every control that is not in a set-aside prompt.

"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from auditor.browser.vocabulary import DialogReading, read_dialog


class ScannedControl(Protocol):
    """What this module needs of a scanned control (:class:`auditor.browser.consent.Control`)."""

    @property
    def token(self) -> str: ...

    @property
    def data(self) -> Mapping[str, Any]: ...

    @property
    def cmp(self) -> str | None: ...

    @property
    def cmp_root(self) -> str | None: ...


DialogKey = tuple[str, str | None]
"""(frame URL, container token or ``None`` for the frame itself)."""


@dataclass(frozen=True)
class Dialog:
    """A group of controls sharing a container (or a child frame): a candidate consent dialog."""

    key: DialogKey
    description: str
    """``div#bandeau-cookies [role=dialog]``, or ``frame https://...``."""
    score: int
    """Consent score (vocabulary, attributes, CMP signature)."""
    cmp: str | None
    kind: str | None
    """The non-consent prompt it looks like (``newsletter``, ...), when it does more than consent."""
    tokens: frozenset[str]
    text: str = ""
    reading: DialogReading | None = None
    """What the vocabulary said of its text and attributes (the matched terms are the evidence)."""

    @property
    def is_consent(self) -> bool:
        """Whether it can be the consent dialog."""
        return self.kind is None and (self.score > 0 or self.cmp is not None)

    def reason(self) -> str:
        """Why it is (or is not) the consent dialog, in words."""
        if self.kind is not None:
            return f"{self.kind} prompt (consent score {self.score}), set aside"
        parts = [f"consent vocabulary score {self.score}"]
        if self.cmp:
            parts.insert(0, f"{self.cmp} consent manager")
        terms = [term for kind, term in (self.reading.matched if self.reading else ()) if kind == "consent"]
        if terms:
            parts.append("words: " + ", ".join(terms[:6]))
        return ", ".join(parts)

    @property
    def is_consent_vocabulary(self) -> bool:
        """Whether its own words (or its CMP) make it a consent dialog, not only the absence of another kind."""
        return self.cmp is not None or (self.reading is not None and self.reading.kind == "consent")


@dataclass(frozen=True)
class DialogChoice:
    """The consent dialog of one scan, and the other prompts set aside."""

    chosen: Dialog | None
    others: tuple[Dialog, ...] = ()

    def allows(self, control: ScannedControl, frame_url: str) -> bool:
        """Whether a control may be chosen: inside the dialog, or (no dialog chosen) not in a set-aside prompt."""
        key = dialog_key(control, frame_url)
        if self.chosen is not None:
            return key == self.chosen.key or (control.cmp is not None and control.cmp == self.chosen.cmp)
        return not any(d.key == key and d.kind is not None for d in self.others)

    def describe_others(self) -> tuple[str, ...]:
        """The other prompts, each with why it was not chosen."""
        return tuple(f"{d.description}: {d.reason()}" for d in self.others)


def dialog_key(control: ScannedControl, frame_url: str) -> DialogKey:
    """The group a control belongs to."""
    box = control.data.get("box")
    return (frame_url, str(box) if box else None)


def describe_box(box: Mapping[str, Any]) -> str:
    """A short CSS-like description of a scanned container: ``div#bandeau-cookies [role=dialog, fixed]``."""
    out = str(box.get("tag") or "div")
    if box.get("id"):
        out += f"#{box['id']}"
    elif box.get("cls"):
        out += f".{box['cls']}"
    extras: list[str] = []
    if box.get("role"):
        extras.append(f"role={box['role']}")
    if box.get("modal"):
        extras.append("aria-modal")
    if box.get("position") in ("fixed", "sticky"):
        extras.append(str(box["position"]))
    return out + (f" [{', '.join(extras)}]" if extras else "")


def choose_dialog(
    controls: Iterable[tuple[ScannedControl, str]],
    boxes: Mapping[str, Mapping[str, Any]],
    frame_texts: Mapping[str, str],
    main_url: str,
) -> DialogChoice:
    """Group ``(control, frame URL)`` pairs into candidate dialogs and choose the consent one.

    Controls of the main frame outside any container are the page itself, never a dialog.
    """
    groups: dict[DialogKey, list[ScannedControl]] = {}
    for control, url in controls:
        groups.setdefault(dialog_key(control, url), []).append(control)
    dialogs: list[Dialog] = []
    for key, members in groups.items():
        url, box_token = key
        if box_token is None and url == main_url:
            continue
        box = boxes.get(box_token, {}) if box_token else {}
        text = str(box.get("text") or "") if box_token else frame_texts.get(url, "")
        attrs = " ".join(str(box.get(k) or "") for k in ("id", "cls", "aria")) if box_token else url
        cmps = [c.cmp or c.cmp_root for c in members if c.cmp or c.cmp_root]
        cmp = max(set(cmps), key=cmps.count) if cmps else None
        reading = read_dialog(text, attrs)
        score = reading.consent + (5 if cmp else 0)
        # A consent manager's container is a consent dialog whatever else its text mentions.
        kind = None if cmp is not None or reading.kind in ("consent", "other") else reading.kind
        description = describe_box(box) if box_token else f"frame {url}"
        members_tokens = frozenset(c.token for c in members)
        dialogs.append(Dialog(key, description, score, cmp, kind, members_tokens, text, reading))
    consent = [d for d in dialogs if d.is_consent]
    if not consent:
        return DialogChoice(None, tuple(dialogs))
    chosen = max(consent, key=lambda d: (d.cmp is not None, d.score, len(d.tokens)))
    return DialogChoice(chosen, tuple(d for d in dialogs if d is not chosen))
