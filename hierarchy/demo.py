"""Synthetic but realistic demo data: a geography, its CBOs and their members.

Four states (one each from the north, east, west and south), each with
districts, blocks, gram panchayats and villages; a CLF per block, a VO per
GP, SHGs of 10–15 women per village, named in each region's own custom.
The same ``seed`` gives the same data. Rows are built with the same
constructors the services use (so ancestor ids are filled the same way) and
inserted in bulk.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.database import transaction, utc_now
from hierarchy.cbos import cbo_row
from hierarchy.demo_names import REGIONS, Region
from hierarchy.geography import geo_unit_row
from hierarchy.members import MemberProfile, member_row
from hierarchy.models import (
    CboKind,
    CboStatus,
    Gender,
    GeoLevel,
    GeoUnit,
    Member,
    MembershipPeriod,
    Relation,
    SocialCategory,
)
from identity.enrolment import IdentityNumbers, tokenise
from identity.member_id import new_member_id
from identity.models import AadhaarRegistration
from identity.tokens import Keyring
from identity.verhoeff import check_digit

# Demo books are "as of" a fixed day, so the same seed gives the same data on any day.
DEMO_AS_OF = date(2026, 4, 1)
DEMO_ACTOR = "demo-seed"
DEMO_APPROVER = "demo-approver"
SHGS_PER_BLOCK = 80
SHGS_PER_VO = 8
VILLAGES_PER_GP = 3
DISTRICTS_PER_STATE = 2
_MEMBER_BATCH = 5_000
_CATEGORIES = (
    (SocialCategory.SC, 22),
    (SocialCategory.ST, 12),
    (SocialCategory.OBC, 40),
    (SocialCategory.MINORITY, 8),
    (SocialCategory.GENERAL, 16),
    (SocialCategory.OTHER, 2),
)


class AlreadySeeded(RuntimeError):
    """Demo data goes only into an empty database."""


@dataclass(frozen=True)
class DemoSummary:
    states: int
    districts: int
    blocks: int
    gram_panchayats: int
    villages: int
    clfs: int
    vos: int
    shgs: int
    members: int


@dataclass
class _Counters:
    lgd: dict[GeoLevel, int]
    geo: dict[GeoLevel, int]


class _People:
    """Draws women's profiles in a region's naming custom, and their identity numbers."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self._aadhaar_seen: set[str] = set()

    def numbers(self) -> IdentityNumbers:
        rng = self.rng
        aadhaar = None
        if rng.random() < 0.6:
            while aadhaar is None or aadhaar in self._aadhaar_seen:
                body = f"{rng.randint(2, 9)}{rng.randrange(10**10):010d}"
                aadhaar = body + check_digit(body)
            self._aadhaar_seen.add(aadhaar)
        if rng.random() < 0.7:
            ifsc = f"{rng.choice(_BANKS)}0{rng.randrange(10**6):06d}"
            return IdentityNumbers(aadhaar, ifsc, f"{rng.randrange(10**10, 10**11)}")
        return IdentityNumbers(aadhaar)

    def _man(self, region: Region, family: str | None) -> str:
        given = self.rng.choice(region.men)
        if region.style == "given":
            return given
        if region.style == "devi":
            family = self.rng.choice(region.family_names)
        return f"{given} {family}"

    def profile(self, region: Region, joined_on: date) -> MemberProfile:
        rng = self.rng
        family = rng.choice(region.family_names) if region.family_names else None
        given = rng.choice(region.women)
        name = {"devi": f"{given} Devi", "family": f"{given} {family}", "given": given}[
            region.style
        ]
        relation = Relation.HUSBAND if rng.random() < 0.82 else Relation.FATHER
        age_days = rng.randint(19 * 365, 65 * 365)
        born = self.today - timedelta(days=age_days)
        known_date = rng.random() < 0.7
        weights = [w for _, w in _CATEGORIES]
        return MemberProfile(
            name=name,
            gender=Gender.F,
            relative_name=self._man(region, family),
            relation=relation,
            birth_date=born if known_date else None,
            birth_year=born.year,
            mobile=f"{rng.choice('6789')}{rng.randrange(10**9):09d}"
            if rng.random() < 0.7
            else None,
            social_category=rng.choices([c for c, _ in _CATEGORIES], weights)[0],
            joined_on=joined_on,
        )


def _place_name(rng: random.Random, region: Region) -> str:
    first, second = region.place_parts
    return rng.choice(first) + rng.choice(second)


def _group_sizes(rng: random.Random, members: int) -> list[int]:
    sizes: list[int] = []
    remaining = members
    while remaining > 0:
        size = min(rng.randint(10, 15), remaining)
        sizes.append(size)
        remaining -= size
    return sizes


async def _add_unit(
    session: AsyncSession,
    counters: _Counters,
    level: GeoLevel,
    name: str,
    parent: GeoUnit | None,
    lgd_code: int | None = None,
) -> GeoUnit:
    if lgd_code is None:
        counters.lgd[level] += 1
        lgd_code = counters.lgd[level]
    unit = geo_unit_row(level, lgd_code, name, parent)
    session.add(unit)
    await session.flush()
    setattr(unit, level.column, unit.id)
    counters.geo[level] += 1
    return unit


async def seed_demo(
    sessions: async_sessionmaker[AsyncSession],
    *,
    members: int,
    seed: int = 7,
    today: date | None = None,
    keyring: Keyring | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoSummary:
    """Seed ``members`` members in a hierarchy sized for them; ``progress`` hears of each batch.

    With a ``keyring``, about 60% of members have an Aadhaar number and 70% a
    bank account, tokenised with it exactly as enrolment does.
    """
    if members < 1:
        raise ValueError("members must be at least 1")
    rng = random.Random(seed)
    today = today or DEMO_AS_OF
    people = _People(rng, today)
    sizes = _group_sizes(rng, members)
    blocks = max(len(REGIONS) * DISTRICTS_PER_STATE, math.ceil(len(sizes) / SHGS_PER_BLOCK))
    # LGD-style codes: real state codes; sub-state units numbered from per-level bases.
    counters = _Counters(
        lgd={
            GeoLevel.DISTRICT: 100,
            GeoLevel.BLOCK: 1000,
            GeoLevel.GRAM_PANCHAYAT: 100000,
            GeoLevel.VILLAGE: 500000,
        },
        geo=dict.fromkeys(GeoLevel, 0),
    )
    cbo_counts = dict.fromkeys(CboKind, 0)
    used_ids: set[str] = set()
    shg_queue = list(enumerate(sizes))
    approved_at = utc_now()

    async with transaction(sessions) as session:
        if await session.scalar(select(GeoUnit.id).limit(1)) is not None:
            raise AlreadySeeded(
                "The database already holds a geography; demo data needs an empty one"
            )
        for block_index in range(blocks):
            region = REGIONS[block_index % len(REGIONS)]
            district_slot = (block_index // len(REGIONS)) % DISTRICTS_PER_STATE
            state = await session.scalar(
                select(GeoUnit).where(GeoUnit.code == f"ST-{region.state_lgd}")
            ) or await _add_unit(
                session, counters, GeoLevel.STATE, region.state, None, region.state_lgd
            )
            district_name = region.districts[district_slot]
            district = await session.scalar(
                select(GeoUnit).where(GeoUnit.name == district_name, GeoUnit.parent_id == state.id)
            ) or await _add_unit(session, counters, GeoLevel.DISTRICT, district_name, state)
            block = await _add_unit(
                session, counters, GeoLevel.BLOCK, _place_name(rng, region), district
            )
            formed = today - timedelta(days=rng.randint(3 * 365, 10 * 365))
            clf = _approved(
                cbo_row(
                    CboKind.CLF,
                    f"CLF-D{block.lgd_code:07d}",
                    f"{block.name} Mahila Sangh CLF",
                    formed,
                    block,
                    None,
                    DEMO_ACTOR,
                    CboStatus.APPROVED,
                ),
                approved_at,
            )
            session.add(clf)
            await session.flush()
            clf.clf_id = clf.id
            cbo_counts[CboKind.CLF] += 1
            # Spread the SHGs evenly over the remaining blocks.
            share = math.ceil(len(shg_queue) / (blocks - block_index))
            block_shgs, shg_queue = shg_queue[:share], shg_queue[share:]
            member_values: list[dict[str, Any]] = []
            aadhaar_tokens: dict[str, str] = {}
            for vo_start in range(0, len(block_shgs), SHGS_PER_VO):
                gp = await _add_unit(
                    session, counters, GeoLevel.GRAM_PANCHAYAT, _place_name(rng, region), block
                )
                villages = [
                    await _add_unit(
                        session, counters, GeoLevel.VILLAGE, _place_name(rng, region), gp
                    )
                    for _ in range(VILLAGES_PER_GP)
                ]
                vo = _approved(
                    cbo_row(
                        CboKind.VO,
                        f"VO-D{gp.lgd_code:08d}",
                        f"{gp.name} Gram Sangathan",
                        formed,
                        gp,
                        clf,
                        DEMO_ACTOR,
                        CboStatus.APPROVED,
                    ),
                    approved_at,
                )
                session.add(vo)
                await session.flush()
                vo.vo_id = vo.id
                cbo_counts[CboKind.VO] += 1
                for position, (shg_index, size) in enumerate(
                    block_shgs[vo_start : vo_start + SHGS_PER_VO]
                ):
                    village = villages[position % len(villages)]
                    shg_formed = formed + timedelta(days=rng.randint(0, 700))
                    shg = _approved(
                        cbo_row(
                            CboKind.SHG,
                            f"SHG-D{shg_index + 1:08d}",
                            f"{rng.choice(_SHG_NAMES)} SHG {village.name}",
                            shg_formed,
                            village,
                            vo,
                            DEMO_ACTOR,
                            CboStatus.APPROVED,
                        ),
                        approved_at,
                    )
                    session.add(shg)
                    await session.flush()
                    shg.shg_id = shg.id
                    cbo_counts[CboKind.SHG] += 1
                    for _ in range(size):
                        joined = shg_formed + timedelta(days=rng.randint(0, 365))
                        member_id = new_member_id(rng.randrange)
                        while member_id in used_ids:
                            member_id = new_member_id(rng.randrange)
                        used_ids.add(member_id)
                        row = member_row(
                            shg,
                            member_id,
                            people.profile(region, min(joined, today)),
                            min(joined, today),
                            DEMO_ACTOR,
                        )
                        if keyring is not None:
                            tokens = tokenise(people.numbers(), keyring)
                            row.aadhaar_last4 = tokens.aadhaar_last4
                            row.bank_token = tokens.bank_token
                            row.bank_last4 = tokens.bank_last4
                            row.bank_ifsc = tokens.bank_ifsc
                            if tokens.aadhaar_token:
                                aadhaar_tokens[member_id] = tokens.aadhaar_token
                        member_values.append(_values(row))
            for start in range(0, len(member_values), _MEMBER_BATCH):
                batch = member_values[start : start + _MEMBER_BATCH]
                await _insert_members(session, batch, aadhaar_tokens)
                if progress is not None:
                    progress(len(batch))
    return DemoSummary(
        states=counters.geo[GeoLevel.STATE],
        districts=counters.geo[GeoLevel.DISTRICT],
        blocks=counters.geo[GeoLevel.BLOCK],
        gram_panchayats=counters.geo[GeoLevel.GRAM_PANCHAYAT],
        villages=counters.geo[GeoLevel.VILLAGE],
        clfs=cbo_counts[CboKind.CLF],
        vos=cbo_counts[CboKind.VO],
        shgs=cbo_counts[CboKind.SHG],
        members=members,
    )


# Bank codes of IFSCs: SBI, Punjab National, Bank of India, Union Bank, Canara, a gramin bank.
_BANKS = ("SBIN", "PUNB", "BKID", "UBIN", "CNRB", "BARB")
_SHG_NAMES = (
    "Jai Maa",
    "Laxmi",
    "Durga",
    "Pragati",
    "Ujala",
    "Sakhi",
    "Ekta",
    "Jagriti",
    "Saraswati",
    "Annapurna",
    "Navjyoti",
    "Kiran",
    "Shakti",
    "Umang",
    "Asha",
)


async def _insert_members(
    session: AsyncSession, batch: list[dict[str, Any]], aadhaar_tokens: dict[str, str]
) -> None:
    """Insert members, then their registry rows and first membership periods."""
    inserted = await session.execute(
        insert(Member).returning(Member.id, Member.member_id, Member.shg_id, Member.joined_on),
        batch,
    )
    registrations, periods = [], []
    for pk, member_id, shg_id, joined_on in inserted.all():
        periods.append({"member_pk": pk, "shg_id": shg_id, "joined_on": joined_on})
        token = aadhaar_tokens.get(member_id)
        if token is not None:
            registrations.append(
                {"token": token, "member_pk": pk, "active": True, "registered_at": utc_now()}
            )
    await session.execute(insert(MembershipPeriod), periods)
    if registrations:
        await session.execute(insert(AadhaarRegistration), registrations)


def _approved(cbo: Any, at: Any) -> Any:
    cbo.approved_by = DEMO_APPROVER
    cbo.approved_at = at
    return cbo


def _values(row: Member) -> dict[str, Any]:
    values = {column.key: getattr(row, column.key) for column in Member.__table__.columns}
    values.pop("id")
    values["created_at"] = values["created_at"] or utc_now()
    return values
