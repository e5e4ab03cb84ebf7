"""Demo data looks like the field: groups of 10–15 women, regional names, consistent ancestry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from hierarchy.demo import seed_demo
from hierarchy.models import Cbo, CboKind, GeoUnit, Member, MembershipPeriod
from identity.models import AadhaarRegistration
from tests.world import TEST_KEYRING


async def test_demo_hierarchy_is_consistent(sessions: Any) -> None:
    summary = await seed_demo(sessions, members=1_000, seed=1)
    assert summary.members == 1_000 and summary.states == 4
    async with sessions() as session:
        sizes = (
            (
                await session.execute(
                    select(func.count()).select_from(Member).group_by(Member.shg_id)
                )
            )
            .scalars()
            .all()
        )
        assert sum(sizes) == 1_000
        assert sum(1 for s in sizes if not 10 <= s <= 15) <= 1  # only the last group may be short
        mismatched = await session.scalar(
            select(func.count())
            .select_from(Member)
            .join(Cbo, Cbo.id == Member.shg_id)
            .where(
                (Member.village_id != Cbo.village_id)
                | (Member.vo_id != Cbo.vo_id)
                | (Member.clf_id != Cbo.clf_id)
                | (Member.district_id != Cbo.district_id)
            )
        )
        assert mismatched == 0
        orphans = await session.scalar(
            select(func.count())
            .select_from(Cbo)
            .join(GeoUnit, GeoUnit.id == Cbo.geo_unit_id)
            .where(Cbo.kind == CboKind.SHG, GeoUnit.village_id != Cbo.village_id)
        )
        assert orphans == 0
        names = set((await session.scalars(select(Member.name))).all())
    assert any(n.endswith(" Devi") for n in names)  # north
    assert any(n.endswith(" Patil") for n in names)  # west
    assert any(n.endswith(" Behera") for n in names)  # east
    assert any(" " not in n for n in names)  # south: one given name


async def test_demo_identities_are_tokenised_like_enrolment(sessions: Any) -> None:
    await seed_demo(sessions, members=400, seed=2, keyring=TEST_KEYRING)
    async with sessions() as session:
        periods = await session.scalar(select(func.count()).select_from(MembershipPeriod))
        registered = await session.scalar(select(func.count()).select_from(AadhaarRegistration))
        banked = await session.scalar(select(func.count()).where(Member.bank_token.is_not(None)))
        with_last4 = await session.scalar(
            select(func.count()).where(Member.aadhaar_last4.is_not(None))
        )
    assert periods == 400
    assert registered == with_last4 and 0.5 < (registered or 0) / 400 < 0.7
    assert 0.6 < (banked or 0) / 400 < 0.8
