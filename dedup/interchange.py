"""Reading the interchange CSV into :class:`Person` records, row by row.

A bad row becomes a :class:`RowError` with its row number and a reason that
names the column but never repeats the value (it may be an Aadhaar number);
the good rows go on. Aadhaar and bank numbers are tokenised the moment they
are read, under a keyring the caller supplies, and the digits are dropped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from core.errors import DomainError
from dedup.names import Name, parse_name
from dedup.person import Person, person
from hierarchy.fields import clean_mobile
from identity.numbers import clean_aadhaar, clean_account, clean_ifsc
from identity.tokens import Keyring

REQUIRED = ("member_ref", "state_code", "district_code", "block_code", "village_code", "name")
RELATIONS = frozenset({"husband", "father", "mother", "other"})


@dataclass(frozen=True)
class RowError:
    row: int  # 1 is the header; data rows start at 2, as a spreadsheet numbers them
    member_ref: str
    reason: str


def _birth(row: dict[str, str], this_year: int) -> tuple[date | None, int | None]:
    text = (row.get("birth_date") or "").strip()
    year_text = (row.get("birth_year") or "").strip()
    birth_date = date.fromisoformat(text) if text else None
    if birth_date and not 1900 <= birth_date.year <= this_year:
        raise ValueError("birth_date is out of range")
    birth_year = int(year_text) if year_text else None
    if birth_year is not None and not 1900 <= birth_year <= this_year:
        raise ValueError("birth_year is out of range")
    return birth_date, birth_year


def _person(row: dict[str, str], keyring: Keyring, this_year: int) -> Person:
    missing = [column for column in REQUIRED if not (row.get(column) or "").strip()]
    if missing:
        raise ValueError(f"{missing[0]} is required")
    relation = (row.get("relation") or "").strip().lower() or None
    if relation and relation not in RELATIONS:
        raise ValueError("relation must be husband, father, mother or other")
    try:
        birth_date, birth_year = _birth(row, this_year)
    except ValueError as error:
        raise ValueError(str(error) if "range" in str(error) else "birth_date is not ISO") from None
    aadhaar = bank = None
    try:
        mobile = clean_mobile(row.get("mobile"))
        raw = (row.get("aadhaar") or "").strip()
        if raw:
            aadhaar = keyring.token("aadhaar", clean_aadhaar(raw))
        account = (row.get("bank_account") or "").strip()
        ifsc = (row.get("bank_ifsc") or "").strip()
        if account:
            bank = keyring.token("bank", f"{clean_ifsc(ifsc)}:{clean_account(account)}")
    except DomainError as error:
        raise ValueError(f"{error.field}: {error.message}") from None
    name: Name = parse_name(row["name"])
    if not name.given:
        raise ValueError("name has no letters")
    return person(
        row["member_ref"].strip(),
        name=row["name"],
        relative_name=row.get("relative_name"),
        relation=relation,
        birth_date=birth_date,
        birth_year=birth_year,
        mobile=mobile,
        bank=bank,
        aadhaar=aadhaar,
        state=row["state_code"].strip(),
        district=row["district_code"].strip(),
        block=row["block_code"].strip(),
        village=row["village_code"].strip(),
    )


@dataclass(frozen=True)
class Lines:
    """A batch of raw CSV records and the row number of the first, for a worker to parse.

    Shipping text, not parsed rows, keeps the reading process light: the
    batch scan's workers do the CSV parsing along with the rest.
    """

    header: tuple[str, ...]
    first_row: int
    records: list[str]


MAX_RECORD = 65_536  # characters: no member's row is longer; a runaway quote is cut here


def _inside_quotes(text: str) -> bool:
    """Whether ``text`` ends inside a quoted field, read as :mod:`csv` reads it.

    A quote opens a field only at the field's start (a stray one, as in
    O"Brien, is just a character), and a doubled quote inside a quoted field
    is a quote character.
    """
    if '"' not in text:
        return False
    inside, at_start, i = False, True, 0
    while i < len(text):
        char = text[i]
        if inside:
            if char == '"':
                if text[i + 1 : i + 2] == '"':
                    i += 1
                else:
                    inside = False
            at_start = False
        else:
            if char == '"' and at_start:
                inside = True
            at_start = char in ",\r\n"
        i += 1
    return inside


def read_lines(path: Path, size: int) -> Iterator[Lines]:
    """The file's records in batches of ``size``, after checking the header.

    A quoted field may hold a line break, so a physical line that leaves a
    quoted field open is joined to the next, up to :data:`MAX_RECORD`
    characters (past that the record goes on as it is, to be reported bad).
    Blank lines are skipped and not numbered, as :class:`csv.DictReader`
    does.
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = tuple(next(csv.reader([handle.readline()]), []))
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ValueError(f"the header lacks {', '.join(missing)}")
        number, batch, pending = 2, [], ""
        for line in handle:
            pending += line
            if len(pending) < MAX_RECORD and _inside_quotes(pending):
                continue  # a quoted field runs on to the next line
            if pending.strip():
                batch.append(pending)
            pending = ""
            if len(batch) >= size:
                yield Lines(header, number, batch)
                number += len(batch)
                batch = []
        if pending.strip():
            batch.append(pending)
        if batch:
            yield Lines(header, number, batch)


def parse_lines(lines: Lines, keyring: Keyring) -> Iterator[Person | RowError]:
    width = len(lines.header)
    this_year = date.today().year
    for number, record in enumerate(lines.records, start=lines.first_row):
        try:
            values = next(csv.reader([record]), [])
        except csv.Error:
            yield RowError(number, "", "the row's quoting is malformed")
            continue
        row = dict(zip(lines.header, values, strict=False))  # widths are checked next
        ref = (row.get("member_ref") or "").strip()
        if len(values) != width:
            yield RowError(number, ref, "wrong number of columns")
            continue
        try:
            yield _person(row, keyring, this_year)
        except ValueError as error:
            yield RowError(number, ref, str(error))


def read_interchange(path: Path, keyring: Keyring) -> Iterator[Person | RowError]:
    for lines in read_lines(path, 5000):
        yield from parse_lines(lines, keyring)
