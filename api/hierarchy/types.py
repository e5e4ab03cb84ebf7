"""GraphQL types of the hierarchy: geo units, CLFs, VOs, SHGs and members.

Each type wraps one ORM row. Related objects and nested pages resolve through
the per-request loaders; every one of them applies the caller's scope. Geo
units, CBOs and members are Apollo Federation entities keyed by their codes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry import Private

from api.context import Context
from api.hierarchy.dataloaders import (
    ACTIVE_MEMBER,
    LIVE_CBO,
    CboByCodeLoader,
    CboByIdLoader,
    CboCountByUnitLoader,
    CboPageByUnitLoader,
    GeoUnitByCodeLoader,
    GeoUnitByIdLoader,
    GeoUnitCountByParentLoader,
    GeoUnitPageByParentLoader,
    MemberByMemberIdLoader,
    MemberCountByUnitLoader,
    MemberPageByUnitLoader,
    Under,
)
from api.node import Node, global_id
from api.pagination import Connection, PageArgs, connection
from core.access import Role
from hierarchy import models
from hierarchy.codes import normalise_code
from identity.numbers import masked_aadhaar, masked_account

# The domain's enums, registered as GraphQL enums under their own names.
strawberry.enum(models.GeoLevel, description="A level of the geography.")
strawberry.enum(models.CboStatus, description="Where a CBO is in its lifecycle.")
strawberry.enum(models.MemberStatus)
strawberry.enum(models.Relation, description="How the named relative is related.")
strawberry.enum(models.Gender)
strawberry.enum(models.SocialCategory)
strawberry.enum(models.MeetingFrequency, description="How often an SHG has agreed to meet.")

Info = strawberry.Info[Context, None]
First = Annotated[
    int | None, strawberry.argument(description="Page size (default 20, at most 100).")
]
After = Annotated[
    str | None, strawberry.argument(description="The `endCursor` of the previous page.")
]


async def _cbo_page(
    info: Info,
    column: str,
    unit_id: int,
    kind: models.CboKind,
    first: int | None,
    after: str | None,
    status: models.CboStatus | None,
) -> Connection[Any]:
    context = info.context
    args = PageArgs.of(context, first, after)
    key = Under(column, unit_id, kind, (status.value,) if status else None, args)
    page = await context.loader(CboPageByUnitLoader).load(key)
    counter = context.loader(CboCountByUnitLoader)
    return connection(page, args, cbo_type, lambda: counter.load(replace(key, page=None)))


async def _member_page(
    info: Info,
    column: str,
    unit_id: int,
    first: int | None,
    after: str | None,
    status: models.MemberStatus | None,
) -> Connection[Member]:
    context = info.context
    args = PageArgs.of(context, first, after)
    key = Under(column, unit_id, None, (status.value,) if status else None, args)
    page = await context.loader(MemberPageByUnitLoader).load(key)
    counter = context.loader(MemberCountByUnitLoader)
    return connection(page, args, Member.from_row, lambda: counter.load(replace(key, page=None)))


async def _shg_count(info: Info, column: str, unit_id: int) -> int:
    key = Under(column, unit_id, models.CboKind.SHG, LIVE_CBO)
    return await info.context.loader(CboCountByUnitLoader).load(key)


async def _member_count(info: Info, column: str, unit_id: int) -> int:
    key = Under(column, unit_id, None, ACTIVE_MEMBER)
    return await info.context.loader(MemberCountByUnitLoader).load(key)


async def _geo_unit(info: Info, unit_id: int | None) -> GeoUnit | None:
    if unit_id is None:
        return None
    row = await info.context.loader(GeoUnitByIdLoader).load(unit_id)
    return None if row is None else GeoUnit.from_row(row)


async def _cbo(info: Info, cbo_id: int | None) -> Any:
    if cbo_id is None:
        return None
    row = await info.context.loader(CboByIdLoader).load(cbo_id)
    return None if row is None else cbo_type(row)


@strawberry.federation.type(keys=["code"], description="A state, district, block, GP or village.")
class GeoUnit(Node):
    code: str = strawberry.field(
        description="Platform-wide unique: the LGD code qualified by level."
    )
    lgd_code: int
    name: str
    level: models.GeoLevel
    row: Private[models.GeoUnit]

    @classmethod
    def from_row(cls, row: models.GeoUnit) -> GeoUnit:
        return cls(
            id=global_id("GeoUnit", row.id),
            code=row.code,
            lgd_code=row.lgd_code,
            name=row.name,
            level=row.level,
            row=row,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, code: str) -> GeoUnit | None:
        row = await info.context.loader(GeoUnitByCodeLoader).load(normalise_code(code))
        return None if row is None else cls.from_row(row)

    @strawberry.field(description="The unit one level up; null outside your scope.")
    async def parent(self, info: Info) -> GeoUnit | None:
        return await _geo_unit(info, self.row.parent_id)

    @strawberry.field(description="The units one level down.")
    async def children(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[GeoUnit]:
        context = info.context
        args = PageArgs.of(context, first, after)
        key = Under("parent_id", self.row.id, page=args)
        page = await context.loader(GeoUnitPageByParentLoader).load(key)
        counter = context.loader(GeoUnitCountByParentLoader)
        return connection(
            page, args, GeoUnit.from_row, lambda: counter.load(replace(key, page=None))
        )

    @strawberry.field(description="CLFs anywhere in this unit's subtree.")
    async def clfs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        status: models.CboStatus | None = None,
    ) -> Connection[Clf]:
        return await _cbo_page(
            info, self.row.level.column, self.row.id, models.CboKind.CLF, first, after, status
        )

    @strawberry.field(description="VOs anywhere in this unit's subtree.")
    async def vos(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        status: models.CboStatus | None = None,
    ) -> Connection[VillageOrganisation]:
        return await _cbo_page(
            info, self.row.level.column, self.row.id, models.CboKind.VO, first, after, status
        )

    @strawberry.field(description="SHGs anywhere in this unit's subtree.")
    async def shgs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        status: models.CboStatus | None = None,
    ) -> Connection[Shg]:
        return await _cbo_page(
            info, self.row.level.column, self.row.id, models.CboKind.SHG, first, after, status
        )

    @strawberry.field(description="SHGs in this subtree that are not closed.")
    async def shg_count(self, info: Info) -> int:
        return await _shg_count(info, self.row.level.column, self.row.id)

    @strawberry.field(description="Active members in this subtree.")
    async def member_count(self, info: Info) -> int:
        return await _member_count(info, self.row.level.column, self.row.id)


@strawberry.interface(description="A community-based organisation: a CLF, VO or SHG.")
class Cbo(Node):
    code: str = strawberry.field(description="Issued by the platform; unique nationwide.")
    name: str
    status: models.CboStatus
    formed_on: date
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    closed_at: datetime | None
    closed_reason: str | None
    row: Private[models.Cbo]

    @classmethod
    def from_row(cls, row: models.Cbo) -> Any:
        return cls(
            id=global_id(cls.__name__, row.id),
            code=row.code,
            name=row.name,
            status=row.status,
            formed_on=row.formed_on,
            created_by=row.created_by,
            created_at=row.created_at,
            approved_by=row.approved_by,
            approved_at=row.approved_at,
            closed_at=row.closed_at,
            closed_reason=row.closed_reason,
            row=row,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, code: str) -> Any:
        row = await info.context.loader(CboByCodeLoader).load(normalise_code(code))
        if row is None or cbo_type_name(row) != cls.__name__:
            return None
        return cls.from_row(row)

    @strawberry.field(description="Active members in this CBO's subtree.")
    async def member_count(self, info: Info) -> int:
        return await _member_count(info, self.row.kind.column, self.row.id)

    @strawberry.field(description="The members (of every status unless filtered).")
    async def members(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        status: models.MemberStatus | None = None,
    ) -> Connection[Member]:
        return await _member_page(info, self.row.kind.column, self.row.id, first, after, status)


@strawberry.federation.type(keys=["code"], description="A cluster-level federation (one block).")
class Clf(Cbo):
    @strawberry.field
    async def block(self, info: Info) -> GeoUnit | None:
        return await _geo_unit(info, self.row.block_id)

    @strawberry.field(description="VOs federated into this CLF.")
    async def vos(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        status: models.CboStatus | None = None,
    ) -> Connection[VillageOrganisation]:
        return await _cbo_page(info, "clf_id", self.row.id, models.CboKind.VO, first, after, status)

    @strawberry.field(description="SHGs federated (through VOs) into this CLF.")
    async def shgs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        status: models.CboStatus | None = None,
    ) -> Connection[Shg]:
        return await _cbo_page(
            info, "clf_id", self.row.id, models.CboKind.SHG, first, after, status
        )

    @strawberry.field(description="SHGs under this CLF that are not closed.")
    async def shg_count(self, info: Info) -> int:
        return await _shg_count(info, "clf_id", self.row.id)


@strawberry.federation.type(
    keys=["code"], description="A village organisation (one gram panchayat)."
)
class VillageOrganisation(Cbo):
    @strawberry.field
    async def gram_panchayat(self, info: Info) -> GeoUnit | None:
        return await _geo_unit(info, self.row.gp_id)

    @strawberry.field(
        description="The CLF it federates into; null when none yet or outside your scope."
    )
    async def clf(self, info: Info) -> Clf | None:
        result: Clf | None = await _cbo(info, self.row.clf_id)
        return result

    @strawberry.field(description="SHGs federated into this VO.")
    async def shgs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        status: models.CboStatus | None = None,
    ) -> Connection[Shg]:
        return await _cbo_page(info, "vo_id", self.row.id, models.CboKind.SHG, first, after, status)

    @strawberry.field(description="SHGs under this VO that are not closed.")
    async def shg_count(self, info: Info) -> int:
        return await _shg_count(info, "vo_id", self.row.id)


@strawberry.federation.type(keys=["code"], description="A self-help group (one village).")
class Shg(Cbo):
    @strawberry.field(description="How often it has agreed to meet.")
    def meeting_frequency(self) -> models.MeetingFrequency:
        return self.row.meeting_frequency

    @strawberry.field
    async def village(self, info: Info) -> GeoUnit | None:
        return await _geo_unit(info, self.row.village_id)

    @strawberry.field(
        description="The VO it federates into; null when none yet or outside your scope."
    )
    async def vo(self, info: Info) -> VillageOrganisation | None:
        result: VillageOrganisation | None = await _cbo(info, self.row.vo_id)
        return result

    @strawberry.field(description="The CLF above its VO; null when none or outside your scope.")
    async def clf(self, info: Info) -> Clf | None:
        result: Clf | None = await _cbo(info, self.row.clf_id)
        return result


_CBO_TYPES: dict[models.CboKind, type[Cbo]] = {
    models.CboKind.CLF: Clf,
    models.CboKind.VO: VillageOrganisation,
    models.CboKind.SHG: Shg,
}


def cbo_type_name(row: models.Cbo) -> str:
    return _CBO_TYPES[row.kind].__name__


def cbo_type(row: models.Cbo) -> Any:
    return _CBO_TYPES[row.kind].from_row(row)


# Roles that see a member's mobile number in full; others see its last digits.
_SEES_CONTACT = (Role.ADMIN, Role.BOOKKEEPER)


@strawberry.federation.type(keys=["memberId"], description="A woman's membership of one SHG.")
class Member(Node):
    member_id: str = strawberry.field(
        description="Her digital member ID (11 digits, Verhoeff-checked)."
    )
    name: str
    relative_name: str | None
    relation: models.Relation | None
    gender: models.Gender
    birth_date: date | None
    birth_year: int | None
    social_category: models.SocialCategory | None
    status: models.MemberStatus
    joined_on: date = strawberry.field(description="When she joined her current SHG.")
    exited_on: date | None
    exit_reason: str | None
    masked_aadhaar: str | None = strawberry.field(
        description="XXXX-XXXX-1234; the number itself is never kept."
    )
    masked_bank_account: str | None
    bank_ifsc: str | None
    row: Private[models.Member]

    @classmethod
    def from_row(cls, row: models.Member) -> Member:
        return cls(
            id=global_id("Member", row.id),
            member_id=row.member_id,
            name=row.name,
            relative_name=row.relative_name,
            relation=row.relation,
            gender=row.gender,
            birth_date=row.birth_date,
            birth_year=row.birth_year,
            social_category=row.social_category,
            status=row.status,
            joined_on=row.joined_on,
            exited_on=row.exited_on,
            exit_reason=row.exit_reason,
            masked_aadhaar=masked_aadhaar(row.aadhaar_last4) if row.aadhaar_last4 else None,
            masked_bank_account=masked_account(row.bank_last4) if row.bank_last4 else None,
            bank_ifsc=row.bank_ifsc,
            row=row,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: Any) -> Member | None:
        # Federation passes the key fields as they are spelled in the schema.
        member_id = str(representation.get("memberId", ""))
        row = await info.context.loader(MemberByMemberIdLoader).load(member_id.strip())
        return None if row is None else cls.from_row(row)

    @strawberry.field(
        description="In full for admins and bookkeepers; others see only the last two digits."
    )
    def mobile(self, info: Info) -> str | None:
        number = self.row.mobile
        if number is None or info.context.principal.role in _SEES_CONTACT:
            return number
        return "X" * 8 + number[-2:]

    @strawberry.field
    async def shg(self, info: Info) -> Shg | None:
        result: Shg | None = await _cbo(info, self.row.shg_id)
        return result
