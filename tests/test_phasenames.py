"""The one table of the phases' human words: complete, in the model's order, used by rules and formats."""

from __future__ import annotations

from auditor.formats.compare import PHASE_LABELS as LEGENDS
from auditor.formats.summary import PHASE_SHORT
from auditor.model import PHASES
from auditor.phasenames import PHASE_WORDS, phase_title
from auditor.policy.fields import PHASE_LABELS


def test_every_phase_has_its_words_in_the_model_order() -> None:
    assert tuple(PHASE_WORDS) == PHASES
    for words in PHASE_WORDS.values():
        assert all((words.phrase, words.title, words.short, words.legend))
        assert words.title[0].isupper() and not words.phrase[0].isupper()


def test_rules_and_formats_read_the_one_table() -> None:
    assert PHASE_LABELS["reject"] == "after refusal"
    assert PHASE_SHORT["accept"] == "accepted"
    assert LEGENDS["gpc"] == "with GPC"
    assert set(PHASE_LABELS) == set(PHASE_SHORT) == set(LEGENDS) == set(PHASES)


def test_phase_title_names_an_unknown_phase_by_itself() -> None:
    assert phase_title("before") == "Before any choice"
    assert phase_title("withdraw") == "After withdrawing consent"
    assert phase_title("retract") == "retract"
