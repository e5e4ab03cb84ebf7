"""Write mutations of the hierarchy. Each returns a payload with the result or typed errors."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import UserError
from api.hierarchy.dataloaders import CboByIdLoader, GeoUnitByIdLoader
from api.hierarchy.types import (
    Cbo,
    Clf,
    GeoUnit,
    Info,
    Shg,
    VillageOrganisation,
    cbo_type,
)
from api.writes import idempotency_key, write
from hierarchy import models
from hierarchy.cbos import NewCbo, approve_cbo, close_cbo, create_cbo, set_meeting_frequency
from hierarchy.geography import create_geo_unit
from ledger.settlement import check_books_square


@strawberry.input
class CreateGeoUnitInput:
    level: models.GeoLevel
    lgd_code: int
    name: str
    parent_code: str | None = None
    idempotency_key: str | None = idempotency_key()


@strawberry.input
class CreateClfInput:
    block_code: str
    name: str
    formed_on: date
    idempotency_key: str | None = idempotency_key()


@strawberry.input
class CreateVoInput:
    gram_panchayat_code: str
    name: str
    formed_on: date
    clf_code: str | None = strawberry.field(
        default=None, description="The CLF it federates into, if any yet."
    )
    idempotency_key: str | None = idempotency_key()


@strawberry.input
class CreateShgInput:
    village_code: str
    name: str
    formed_on: date
    vo_code: str | None = strawberry.field(
        default=None, description="The VO it federates into, if any yet."
    )
    meeting_frequency: models.MeetingFrequency = strawberry.field(
        default=models.MeetingFrequency.WEEKLY,
        description="How often it has agreed to meet; its grading judges its meetings by this.",
    )
    idempotency_key: str | None = idempotency_key()


@strawberry.input
class ApproveCboInput:
    code: str
    idempotency_key: str | None = idempotency_key()


@strawberry.input
class CloseCboInput:
    code: str
    reason: str
    idempotency_key: str | None = idempotency_key()


@strawberry.input
class SetMeetingFrequencyInput:
    shg_code: str
    meeting_frequency: models.MeetingFrequency
    idempotency_key: str | None = idempotency_key()


@strawberry.type
class SetMeetingFrequencyPayload:
    shg: Shg | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateGeoUnitPayload:
    geo_unit: GeoUnit | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateClfPayload:
    clf: Clf | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateVoPayload:
    vo: VillageOrganisation | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateShgPayload:
    shg: Shg | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ApproveCboPayload:
    cbo: Cbo | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CloseCboPayload:
    cbo: Cbo | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


async def _fresh_cbo(info: Info, cbo_id: int | None) -> Any:
    if cbo_id is None:
        return None
    row = await info.context.loader(CboByIdLoader).load_fresh(cbo_id)
    return None if row is None else cbo_type(row)


async def _create_cbo(
    info: Info, operation: str, data: Any, new: NewCbo
) -> tuple[Any, list[UserError]]:
    async def work(session: AsyncSession) -> int:
        return (await create_cbo(session, info.context.principal, new)).id

    result_id, errors = await write(info.context, operation, data, work)
    return await _fresh_cbo(info, result_id), errors


@strawberry.type
class HierarchyMutation:
    @strawberry.mutation(description="Add a geo unit (admins; states by national admins only).")
    async def create_geo_unit(self, info: Info, input: CreateGeoUnitInput) -> CreateGeoUnitPayload:
        async def work(session: AsyncSession) -> int:
            unit = await create_geo_unit(
                session,
                info.context.principal,
                level=input.level,
                lgd_code=input.lgd_code,
                name=input.name,
                parent_code=input.parent_code,
            )
            return unit.id

        result_id, errors = await write(info.context, "createGeoUnit", input, work)
        if result_id is None:
            return CreateGeoUnitPayload(errors=errors)
        row = await info.context.loader(GeoUnitByIdLoader).load_fresh(result_id)
        return CreateGeoUnitPayload(geo_unit=None if row is None else GeoUnit.from_row(row))

    @strawberry.mutation(description="Register a CLF in a block, as a draft awaiting approval.")
    async def create_clf(self, info: Info, input: CreateClfInput) -> CreateClfPayload:
        new = NewCbo(models.CboKind.CLF, input.name, input.block_code, input.formed_on)
        clf, errors = await _create_cbo(info, "createClf", input, new)
        return CreateClfPayload(clf=clf, errors=errors)

    @strawberry.mutation(
        description="Register a VO in a gram panchayat, as a draft awaiting approval."
    )
    async def create_vo(self, info: Info, input: CreateVoInput) -> CreateVoPayload:
        new = NewCbo(
            models.CboKind.VO,
            input.name,
            input.gram_panchayat_code,
            input.formed_on,
            input.clf_code,
        )
        vo, errors = await _create_cbo(info, "createVo", input, new)
        return CreateVoPayload(vo=vo, errors=errors)

    @strawberry.mutation(description="Register an SHG in a village, as a draft awaiting approval.")
    async def create_shg(self, info: Info, input: CreateShgInput) -> CreateShgPayload:
        new = NewCbo(
            models.CboKind.SHG,
            input.name,
            input.village_code,
            input.formed_on,
            input.vo_code,
            input.meeting_frequency,
        )
        shg, errors = await _create_cbo(info, "createShg", input, new)
        return CreateShgPayload(shg=shg, errors=errors)

    @strawberry.mutation(description="Approve a draft CBO (an approver other than its creator).")
    async def approve_cbo(self, info: Info, input: ApproveCboInput) -> ApproveCboPayload:
        async def work(session: AsyncSession) -> int:
            return (await approve_cbo(session, info.context.principal, input.code)).id

        result_id, errors = await write(info.context, "approveCbo", input, work)
        return ApproveCboPayload(cbo=await _fresh_cbo(info, result_id), errors=errors)

    @strawberry.mutation(
        description="Record how often an SHG has agreed to meet (an approver or admin)."
    )
    async def set_meeting_frequency(
        self, info: Info, input: SetMeetingFrequencyInput
    ) -> SetMeetingFrequencyPayload:
        async def work(session: AsyncSession) -> int:
            principal = info.context.principal
            code, frequency = input.shg_code, input.meeting_frequency
            return (await set_meeting_frequency(session, principal, code, frequency)).id

        result_id, errors = await write(info.context, "setMeetingFrequency", input, work)
        return SetMeetingFrequencyPayload(shg=await _fresh_cbo(info, result_id), errors=errors)

    @strawberry.mutation(
        description="Close a CBO once nothing active remains below it and its books are square."
    )
    async def close_cbo(self, info: Info, input: CloseCboInput) -> CloseCboPayload:
        async def work(session: AsyncSession) -> int:
            principal, code, reason = info.context.principal, input.code, input.reason
            closed = await close_cbo(
                session, principal, code, reason, books_square=check_books_square
            )
            return closed.id

        result_id, errors = await write(info.context, "closeCbo", input, work)
        return CloseCboPayload(cbo=await _fresh_cbo(info, result_id), errors=errors)
