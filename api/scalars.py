"""The API's Date: strawberry's own, bounded to the years a record can hold.

Strawberry's Date takes any ISO date, year 1 to 9999 included, and those reach
date arithmetic that overflows (a grading window before year 1, a schedule
past 9999): an internal error in whatever reads them later. Every Date input
is refused outside these bounds before a resolver runs; within them, each
field's own rule (not in the future, not before its group was formed) answers
in the mutation's payload, naming the field.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from strawberry.schema.types.base_scalars import DateDefinition

from core.errors import DomainError, ErrorCode

FIRST_DATE = date(1000, 1, 1)
LAST_DATE = date(8999, 12, 31)


def _parse_date(value: object) -> date:
    strawberry_parse = DateDefinition.parse_value
    assert strawberry_parse is not None  # strawberry's Date always parses
    parsed = strawberry_parse(value)  # its own checks and messages first
    assert isinstance(parsed, date)
    if not FIRST_DATE <= parsed <= LAST_DATE:
        raise DomainError(ErrorCode.INVALID, None, f"Dates run from {FIRST_DATE} to {LAST_DATE}")
    return parsed


DATE_SCALAR = dataclasses.replace(DateDefinition, parse_value=_parse_date)
