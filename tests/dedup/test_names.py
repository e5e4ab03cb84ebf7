"""Normalisation rules, one by one, and cross-script recall on the shipped labelled pairs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dedup.devanagari import to_latin
from dedup.names import SPELLING_RULES, fold, parse_name, skeleton
from dedup.person import person
from dedup.score import Thresholds, score_pair, shipped_model
from dedup.verdict import Verdict

PAIRS = Path(__file__).parent / "data" / "name_pairs.csv"


@pytest.mark.parametrize(
    ("devanagari", "latin"),
    [
        ("सुनीता देवी", "sunita devi"),
        ("राम", "ram"),
        ("मिश्र", "mishra"),
        ("लक्ष्मी", "lakshmi"),
        ("ज्ञानवती", "gyanavati"),
        ("संगीता", "sangita"),
        ("चंपा", "champa"),
        ("ज़रीना", "zarina"),
    ],
)
def test_devanagari_is_written_as_a_hindi_speaker_would(devanagari: str, latin: str) -> None:
    assert to_latin(devanagari) == latin


@pytest.mark.parametrize(
    ("rule", "one", "other"),
    [
        ("ksh_x", "lakshmi", "laxmi"),
        ("ph_f", "phoolmati", "fulmati"),
        ("chh_ch", "chhaya", "chaya"),
        ("sh_s", "shanti", "santi"),
        ("aspirates", "radha", "rada"),
        ("z_j", "zarina", "jarina"),
        ("w_v", "sawitri", "savitri"),
        ("b_v", "debi", "devi"),
        ("ee_i", "geeta", "gita"),
        ("oo_u", "pooja", "puja"),
        ("aa_a", "mamtaa", "mamta"),
        ("y_i", "vijay", "vijai"),
        ("nasal_before_labial", "chanpa", "champa"),
        ("doubled_letters", "pushppa", "pushpa"),
        ("singh", "singh", "sinh"),
    ],
)
def test_each_spelling_rule_folds_a_variant(rule: str, one: str, other: str) -> None:
    assert rule in {name for name, _, _ in SPELLING_RULES}
    assert fold(one) == fold(other)


def test_honorifics_markers_initials_and_order() -> None:
    assert parse_name("Smt. Suneeta Debi W/o Ramesh Kumar") == parse_name(
        "Devi Sunita W/o Ramesh Kumar"
    )
    parsed = parse_name("Smt. Suneeta Debi W/o Ramesh Kumar")
    assert (parsed.given, parsed.relative, parsed.relation) == ("sunita", "rames kumar", "husband")
    assert parse_name("K. Lakshmi D/o Late Sh. Ram Prasad").relation == "father"
    assert parse_name("Kumari Rekha").given == parse_name("Rekha Kumari").given == "reka"
    assert parse_name("Kumari Rekha").rest == ""  # a leading Kumari is a title
    assert parse_name("श्रीमती कमला देवी").full == parse_name("Kamala Devi").full


def test_different_names_keep_different_codes() -> None:
    codes = {skeleton(fold(n)) for n in ("sunita", "sarita", "anita", "amita", "gita", "sita")}
    assert len(codes) == 6


def _woman(ref: str, name: str):  # type: ignore[no-untyped-def]
    return person(
        ref,
        name=name,
        relative_name=None,
        relation=None,
        birth_date=None,
        birth_year=1985,
        mobile=None,
        bank=None,
        aadhaar=None,
        state="S",
        district="D",
        block="B",
        village="V",
    )


def _labelled() -> list[dict[str, str]]:
    with PAIRS.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_labelled_set_is_large_enough() -> None:
    rows = _labelled()
    assert sum(r["kind"] == "script" for r in rows) >= 500
    assert sum(r["match"] == "0" for r in rows) >= 100


def test_cross_script_and_spelling_recall_at_the_review_threshold() -> None:
    """Two records from one village with one birth year and nothing else in
    common (no relative, phone or account): the name pair must reach REVIEW."""
    model, thresholds = shipped_model(), Thresholds()
    matches = [r for r in _labelled() if r["match"] == "1"]
    recalled = [
        r
        for r in matches
        if score_pair(model, _woman("a", r["a"]), _woman("b", r["b"]), thresholds).verdict
        is not Verdict.CLEAR
    ]
    script = [r for r in matches if r["kind"] == "script"]
    script_recalled = [r for r in recalled if r["kind"] == "script"]
    assert len(script_recalled) / len(script) >= 0.90
    assert len(recalled) / len(matches) >= 0.90


def test_different_names_are_not_called_duplicates() -> None:
    model, thresholds = shipped_model(), Thresholds()
    different = [r for r in _labelled() if r["match"] == "0"]
    wrongly = [
        r
        for r in different
        if score_pair(model, _woman("a", r["a"]), _woman("b", r["b"]), thresholds).verdict
        is Verdict.DUPLICATE
    ]
    assert len(wrongly) / len(different) <= 0.01
