"""A small but complete hierarchy built through the same services users call.

2 states > 1 district each > 2 blocks each > 1 GP each > 2 villages each;
a CLF per block, a VO per GP, an SHG per village, two members per SHG. Every
object records the codes of all its ancestors (itself included), worked out
here from how it was built, independently of the ancestor columns the
services fill: a scope with code X must see exactly the objects whose
``ancestors`` hold X.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.access import NATIONAL, Principal, Role
from core.database import transaction
from hierarchy.cbos import NewCbo, approve_cbo, create_cbo
from hierarchy.geography import create_geo_unit
from hierarchy.members import MemberProfile
from hierarchy.models import CboKind, Gender, GeoLevel, Relation
from identity.enrolment import IdentityNumbers, enroll_member
from identity.tokens import Keyring
from identity.verhoeff import check_digit
from ledger.vouchers import LineInput, NewVoucher, approve_voucher, record_voucher

# The identity keys of every test: the API under test is configured with the same ones.
TEST_IDENTITY_KEYS = "1:" + base64.b64encode(b"test-identity-key-".ljust(32, b"0")).decode()
TEST_KEYRING = Keyring.parse(TEST_IDENTITY_KEYS)
MAKER = Principal("maker-1", Role.ADMIN, NATIONAL)
CHECKER = Principal("checker-1", Role.APPROVER, NATIONAL)
FORMED = date(2020, 4, 1)


@dataclass
class Thing:
    code: str
    kind: str  # a GeoLevel or CboKind value, or "member"
    ancestors: frozenset[str]
    db_id: int


@dataclass
class World:
    geo: dict[str, Thing] = field(default_factory=dict)
    cbos: dict[str, Thing] = field(default_factory=dict)
    members: dict[str, Thing] = field(default_factory=dict)
    aadhaar: dict[str, str] = field(default_factory=dict)  # member ID -> the Aadhaar she gave

    def visible(self, things: dict[str, Thing], scope: str, kind: str | None = None) -> set[str]:
        return {
            code
            for code, thing in things.items()
            if (not scope or scope in thing.ancestors) and (kind is None or thing.kind == kind)
        }


async def build_world(sessions: async_sessionmaker[AsyncSession], *, money_paise: int = 0) -> World:
    """The hierarchy; with ``money_paise``, every CBO also holds that much in cash and as
    much in its bank account (see :func:`give_money`), so tests can pay out of them."""
    world = World()
    member_no = 0

    async def geo(level: GeoLevel, lgd: int, name: str, parent: Thing | None) -> Thing:
        async with transaction(sessions) as session:
            unit = await create_geo_unit(
                session,
                MAKER,
                level=level,
                lgd_code=lgd,
                name=name,
                parent_code=parent.code if parent else None,
            )
        above = parent.ancestors if parent else frozenset()
        thing = Thing(unit.code, level.value, above | {unit.code}, unit.id)
        world.geo[thing.code] = thing
        return thing

    async def cbo(kind: CboKind, name: str, place: Thing, parent: Thing | None) -> Thing:
        async with transaction(sessions) as session:
            row = await create_cbo(
                session,
                MAKER,
                NewCbo(kind, name, place.code, FORMED, parent.code if parent else None),
            )
        async with transaction(sessions) as session:
            await approve_cbo(session, CHECKER, row.code)
        above = place.ancestors | (parent.ancestors if parent else frozenset())
        thing = Thing(row.code, kind.value, above | {row.code}, row.id)
        world.cbos[thing.code] = thing
        return thing

    for s, (state_lgd, state_name) in enumerate([(9, "Uttar Pradesh"), (21, "Odisha")]):
        state = await geo(GeoLevel.STATE, state_lgd, state_name, None)
        district = await geo(GeoLevel.DISTRICT, 100 + s, f"District {s}", state)
        for b in range(2):
            block = await geo(GeoLevel.BLOCK, 1000 + 10 * s + b, f"Block {s}{b}", district)
            clf = await cbo(CboKind.CLF, f"CLF {s}{b}", block, None)
            gp = await geo(GeoLevel.GRAM_PANCHAYAT, 20000 + 10 * s + b, f"GP {s}{b}", block)
            vo = await cbo(CboKind.VO, f"VO {s}{b}", gp, clf)
            for v in range(2):
                village = await geo(
                    GeoLevel.VILLAGE, 300000 + 100 * s + 10 * b + v, f"Village {s}{b}{v}", gp
                )
                shg = await cbo(CboKind.SHG, f"SHG {s}{b}{v}", village, vo)
                for _ in range(2):
                    member_no += 1
                    aadhaar = aadhaar_number(member_no)
                    async with transaction(sessions) as session:
                        row = await enroll_member(
                            session,
                            MAKER,
                            TEST_KEYRING,
                            shg.code,
                            MemberProfile(
                                name=f"Sunita {member_no}",
                                gender=Gender.F,
                                relative_name=f"Ramesh {member_no}",
                                relation=Relation.HUSBAND,
                                birth_year=1980 + member_no,
                                mobile=f"98765{member_no:05d}",
                                joined_on=date(2021, 1, 1),
                            ),
                            IdentityNumbers(aadhaar=aadhaar),
                        )
                    world.aadhaar[row.member_id] = aadhaar
                    world.members[row.member_id] = Thing(
                        row.member_id, "member", shg.ancestors | {row.member_id}, row.id
                    )
    if money_paise:
        for code in world.cbos:
            await give_money(sessions, code, cash_paise=money_paise, bank_paise=money_paise)
    return world


async def give_money(
    sessions: async_sessionmaker[AsyncSession],
    cbo_code: str,
    *,
    cash_paise: int = 0,
    bank_paise: int = 0,
    on: date = FORMED,
) -> None:
    """Money into a CBO's cash and bank as other income, recorded and approved like any
    voucher: a CBO pays out no more than it holds."""
    lines = [
        LineInput(account, debit_paise=amount)
        for account, amount in (("cash", cash_paise), ("bank", bank_paise))
        if amount
    ]
    income = LineInput("other_income", credit_paise=cash_paise + bank_paise)
    async with transaction(sessions) as session:
        voucher = await record_voucher(
            session, MAKER, NewVoucher(cbo_code, on, "Money to pay out of", (*lines, income))
        )
    async with transaction(sessions) as session:
        await approve_voucher(session, CHECKER, voucher.id)


async def enroll_members(
    sessions: async_sessionmaker[AsyncSession], shg_code: str, count: int, *, first: int
) -> list[str]:
    """``count`` more members in an SHG, made up from serial ``first`` on (clear of the
    world's own, which run from 1); their member ids."""
    enrolled = []
    for serial in range(first, first + count):
        async with transaction(sessions) as session:
            row = await enroll_member(
                session,
                MAKER,
                TEST_KEYRING,
                shg_code,
                MemberProfile(
                    name=f"Sunita {serial}",
                    gender=Gender.F,
                    relative_name=f"Ramesh {serial}",
                    relation=Relation.HUSBAND,
                    birth_year=1950 + serial % 50,
                    mobile=f"9{serial:09d}",
                    joined_on=date(2021, 1, 1),
                ),
                IdentityNumbers(aadhaar=aadhaar_number(serial)),
            )
        enrolled.append(row.member_id)
    return enrolled


def aadhaar_number(serial: int) -> str:
    """A valid, made-up Aadhaar number (first digit 2-9, Verhoeff check digit)."""
    body = f"{2 + serial % 8}{serial:010d}"
    return body + check_digit(body)
