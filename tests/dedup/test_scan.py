"""The batch scan on synthetic data with known truth, and on malformed rows."""

from __future__ import annotations

import csv
from pathlib import Path

from dedup.evaluate import read_truth, score
from dedup.scan import read_pairs, scan
from dedup.synth import COLUMNS, write_synthetic
from tests.world import aadhaar_number


def test_scan_finds_synthetic_duplicates(tmp_path: Path) -> None:
    members, truth = tmp_path / "m.csv", tmp_path / "t.csv"
    for _ in write_synthetic(5000, 0.1, 3, members, truth):
        pass
    report = scan(members, tmp_path / "p.csv", errors=tmp_path / "e.csv", workers=1)
    assert report.rows == 5000 and report.bad_rows == 0
    result = score(read_truth(truth), [(a, b, d) for a, b, _, d in read_pairs(tmp_path / "p.csv")])
    assert result.duplicate_precision >= 0.98
    assert result.recall >= 0.95


def test_bad_rows_are_reported_by_number_and_the_rest_go_through(tmp_path: Path) -> None:
    source = tmp_path / "m.csv"
    good = dict.fromkeys(COLUMNS, "")
    good.update(
        member_ref="A1", state_code="ST-9", district_code="DT-1", block_code="BL-1",
        village_code="VL-1", name="Sunita Devi", birth_year="1985",
    )  # fmt: skip
    rows = [
        good,
        {**good, "member_ref": "A2", "birth_date": "15/07/1984"},
        {**good, "member_ref": "A3", "aadhaar": "234567890123"},  # fails Verhoeff
        {**good, "member_ref": "A4", "name": ""},
        {**good, "member_ref": "A5", "name": "सुनीता देवी", "aadhaar": aadhaar_number(5)},
    ]
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    report = scan(source, tmp_path / "p.csv", errors=tmp_path / "e.csv", workers=1)
    assert (report.rows, report.bad_rows) == (2, 3)
    errors = list(csv.DictReader((tmp_path / "e.csv").open(encoding="utf-8")))
    assert [(e["row"], e["member_ref"]) for e in errors] == [("3", "A2"), ("4", "A3"), ("5", "A4")]
    text = (tmp_path / "e.csv").read_text(encoding="utf-8")
    assert "234567890123" not in text
    pairs = list(read_pairs(tmp_path / "p.csv"))
    assert [(a, b) for a, b, _, _ in pairs] == [("A1", "A5")]
