"""One record as the matcher sees it, whether it came from the database or a CSV row.

Online enrolment, the database sweep and the batch scan all build a
:class:`Person` and hand it to the same blocking keys and comparators, so
the three can never disagree about what "the same woman" means.

Identity numbers arrive here only as keyed tokens.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from dedup.names import is_common_second_name, parse_name, parse_relative, skeleton


class Person(NamedTuple):
    """One record's normalised fields.

    A named tuple, not a dataclass: the batch scan unpickles millions of
    them, and a tuple is built in C where a frozen dataclass sets each of
    seventeen fields through ``object.__setattr__``.
    """

    ref: str
    given: str  # folded given name
    given_key: str  # its skeleton, for blocking
    surname: str  # folded other name tokens that say something (not Devi, Kumari …)
    relative: str  # folded relative's full name
    relative_given: str
    relative_key: str
    relation: str | None
    birth_date: date | None
    birth_year: int | None
    mobile: str | None
    bank: str | None  # keyed token
    aadhaar: str | None  # keyed token
    state: str
    district: str
    block: str
    village: str

    @property
    def year(self) -> int | None:
        return self.birth_date.year if self.birth_date else self.birth_year


def person(
    ref: str,
    *,
    name: str,
    relative_name: str | None,
    relation: str | None,
    birth_date: date | None,
    birth_year: int | None,
    mobile: str | None,
    bank: str | None,
    aadhaar: str | None,
    state: str,
    district: str,
    block: str,
    village: str,
) -> Person:
    """Normalise one record's fields.

    A relative written inside the name ("Sunita W/o Ramesh") is used when
    the relative field is empty.
    """
    parsed = parse_name(name)
    relative = parse_relative(relative_name) or parsed.relative
    relation = relation or parsed.relation
    relative_given = relative.split(" ", 1)[0] if relative else ""
    surname = " ".join(t for t in parsed.rest.split() if not is_common_second_name(t))
    return Person(
        ref=ref,
        given=parsed.given,
        given_key=skeleton(parsed.given),
        surname=surname,
        relative=relative,
        relative_given=relative_given,
        relative_key=skeleton(relative_given),
        relation=relation,
        birth_date=birth_date,
        birth_year=birth_year,
        mobile=mobile or None,
        bank=bank or None,
        aadhaar=aadhaar or None,
        state=state,
        district=district,
        block=block,
        village=village,
    )


def relatives_comparable(a: Person, b: Person) -> bool:
    """Whether their relatives' names speak of the same person.

    A woman enrolled once as her father's daughter and again, after
    marriage, as her husband's wife names two different men: that is no
    evidence against her.
    """
    if not a.relative or not b.relative:
        return False
    return not (a.relation and b.relation and a.relation != b.relation)
