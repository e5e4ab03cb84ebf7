"""Enrolment and membership mutations, and consent.

Raw Aadhaar and bank numbers arrive in inputs and go straight to the domain,
which validates and tokenises them; the idempotency fingerprint uses their
tokens, and nothing here logs, echoes or stores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.dedup.types import MatchReason
from api.errors import UserError, user_error, user_errors
from api.hierarchy.dataloaders import MemberByIdLoader
from api.hierarchy.types import Info, Member
from api.identity.types import Consent
from api.writes import idempotency_key, payload_of, run_write, write
from core.errors import DomainError, ErrorCode
from dedup.online import LikelyDuplicate
from dedup.verdict import Verdict
from hierarchy import models
from hierarchy.members import MemberProfile
from identity import models as identity_models
from identity.consent import give_consent, withdraw_consent
from identity.enrolment import (
    PROFILE_FIELDS,
    IdentityNumbers,
    check_enrolment,
    enroll_member,
    exit_member,
    tokenise,
    transfer_member,
    update_member_profile,
)

_RAW_NUMBERS = ("aadhaar", "bank_account", "bank_ifsc")


@strawberry.input(description="A new member: the interchange CSV's columns in camelCase.")
class EnrollMemberInput:
    shg_code: str
    name: str
    gender: models.Gender
    relative_name: str | None = None
    relation: models.Relation | None = None
    birth_date: date | None = None
    birth_year: int | None = None
    mobile: str | None = None
    aadhaar: str | None = strawberry.field(
        default=None, description="12 digits; write-only: validated, tokenised, never stored."
    )
    bank_ifsc: str | None = None
    bank_account: str | None = strawberry.field(
        default=None, description="9 to 18 digits; write-only: tokenised, never stored."
    )
    social_category: models.SocialCategory | None = None
    joined_on: date | None = None
    idempotency_key: str | None = idempotency_key()


@strawberry.input
class TransferMemberInput:
    member_id: str
    to_shg_code: str
    transferred_on: date
    reason: str
    idempotency_key: str | None = idempotency_key()


@strawberry.input
class ExitMemberInput:
    member_id: str
    exited_on: date
    reason: str
    idempotency_key: str | None = idempotency_key()


@strawberry.input(description="Corrections: only the fields sent change (null clears one).")
class UpdateMemberProfileInput:
    member_id: str
    name: str | None = strawberry.UNSET
    gender: models.Gender | None = strawberry.UNSET
    relative_name: str | None = strawberry.UNSET
    relation: models.Relation | None = strawberry.UNSET
    birth_date: date | None = strawberry.UNSET
    birth_year: int | None = strawberry.UNSET
    mobile: str | None = strawberry.UNSET
    social_category: models.SocialCategory | None = strawberry.UNSET
    aadhaar: str | None = None
    bank_ifsc: str | None = None
    bank_account: str | None = None
    idempotency_key: str | None = idempotency_key()


@strawberry.input
class GiveConsentInput:
    member_id: str
    scheme: str = strawberry.field(description="The scheme's code, e.g. pm-kisan.")
    purpose: str
    idempotency_key: str | None = idempotency_key()


@strawberry.input
class WithdrawConsentInput:
    member_id: str
    scheme: str
    idempotency_key: str | None = idempotency_key()


@strawberry.type
class EnrollMemberPayload:
    member: Member | None = None
    verdict: Verdict | None = strawberry.field(
        default=None,
        description=(
            "CLEAR: enrolled. REVIEW: enrolled as pending until a reviewer decides. "
            "DUPLICATE: refused (same Aadhaar, or a likely duplicate)."
        ),
    )
    reasons: list[MatchReason] = strawberry.field(
        default_factory=list,
        description="Why a likely duplicate was refused, comparison by comparison.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class TransferMemberPayload:
    member: Member | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ExitMemberPayload:
    member: Member | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UpdateMemberProfilePayload:
    member: Member | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GiveConsentPayload:
    consent: Consent | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WithdrawConsentPayload:
    consent: Consent | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@dataclass(frozen=True)
class _Tokenised:
    numbers: IdentityNumbers
    payload: dict[str, Any]


def _numbers(info: Info, data: Any) -> _Tokenised:
    """The raw numbers for the domain, and a fingerprint payload with tokens in their place."""
    numbers = IdentityNumbers(data.aadhaar, data.bank_ifsc, data.bank_account)
    tokens = tokenise(numbers, info.context.services.keyring)
    return _Tokenised(numbers, {**payload_of(data, drop=_RAW_NUMBERS), **tokens.fingerprint()})


async def _member(info: Info, result_id: int | None) -> Member | None:
    if result_id is None:
        return None
    row = await info.context.loader(MemberByIdLoader).load_fresh(result_id)
    return None if row is None else Member.from_row(row)


async def _consent(info: Info, result_id: int | None) -> Consent | None:
    if result_id is None:
        return None
    scope = info.context.read_scope
    if scope is None:
        return None
    async with info.context.sessions() as session:
        row = await session.scalar(
            select(identity_models.Consent)
            .join(models.Member, models.Member.id == identity_models.Consent.member_pk)
            .where(identity_models.Consent.id == result_id, scope.clause(models.Member))
        )
    return None if row is None else Consent.from_row(row)


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(
        description="Enrol a member: validate, tokenise, one membership per Aadhaar, issue her ID."
    )
    async def enroll_member(self, info: Info, input: EnrollMemberInput) -> EnrollMemberPayload:
        context = info.context
        profile = MemberProfile(
            name=input.name,
            gender=input.gender,
            relative_name=input.relative_name,
            relation=input.relation,
            birth_date=input.birth_date,
            birth_year=input.birth_year,
            mobile=input.mobile,
            social_category=input.social_category,
            joined_on=input.joined_on,
        )
        numbers = IdentityNumbers(input.aadhaar, input.bank_ifsc, input.bank_account)
        try:
            # Every field at once, before any work: one round trip names them all.
            _, tokens = check_enrolment(profile, numbers, context.services.keyring, date.today())
        except DomainError as error:
            return EnrollMemberPayload(errors=user_errors(error))
        tokenised = _Tokenised(
            numbers, {**payload_of(input, drop=_RAW_NUMBERS), **tokens.fingerprint()}
        )

        async def work(session: AsyncSession) -> int:
            member = await enroll_member(
                session,
                context.principal,
                context.services.keyring,
                input.shg_code,
                profile,
                tokenised.numbers,
                matcher=context.services.matcher,
            )
            return member.id

        try:
            result_id = await run_write(
                context, "enrollMember", tokenised.payload, input.idempotency_key, work
            )
        except LikelyDuplicate as refusal:
            return EnrollMemberPayload(
                verdict=Verdict.DUPLICATE,
                reasons=[
                    MatchReason(field=r.field, level=r.level, weight=r.weight)
                    for r in refusal.reasons
                ],
                errors=[user_error(refusal)],
            )
        except DomainError as error:
            refused = error.code is ErrorCode.ALREADY_ENROLLED
            return EnrollMemberPayload(
                verdict=Verdict.DUPLICATE if refused else None, errors=user_errors(error)
            )
        member = await _member(info, result_id)
        pending = member is not None and member.status is models.MemberStatus.PENDING
        return EnrollMemberPayload(
            member=member, verdict=Verdict.REVIEW if pending else Verdict.CLEAR
        )

    @strawberry.mutation(
        description="Move her to another SHG: exit and join on one day; her ID stays."
    )
    async def transfer_member(
        self, info: Info, input: TransferMemberInput
    ) -> TransferMemberPayload:
        context = info.context

        async def work(session: AsyncSession) -> int:
            member = await transfer_member(
                session,
                context.principal,
                input.member_id,
                input.to_shg_code,
                input.transferred_on,
                input.reason,
            )
            return member.id

        result_id, errors = await write(context, "transferMember", input, work)
        return TransferMemberPayload(member=await _member(info, result_id), errors=errors)

    @strawberry.mutation(description="End her membership; her record and history stay.")
    async def exit_member(self, info: Info, input: ExitMemberInput) -> ExitMemberPayload:
        context = info.context

        async def work(session: AsyncSession) -> int:
            member = await exit_member(
                session, context.principal, input.member_id, input.exited_on, input.reason
            )
            return member.id

        result_id, errors = await write(context, "exitMember", input, work)
        return ExitMemberPayload(member=await _member(info, result_id), errors=errors)

    @strawberry.mutation(
        description="Correct her profile; a new Aadhaar or bank account is re-tokenised."
    )
    async def update_member_profile(
        self, info: Info, input: UpdateMemberProfileInput
    ) -> UpdateMemberProfilePayload:
        context = info.context
        try:
            tokenised = _numbers(info, input)
        except DomainError:
            # The domain refuses these numbers again, together with every fault of the
            # corrected profile (which needs her current one), in one answer.
            numbers = IdentityNumbers(input.aadhaar, input.bank_ifsc, input.bank_account)
            tokenised = _Tokenised(numbers, payload_of(input, drop=_RAW_NUMBERS))
        changes = {
            name: getattr(input, name)
            for name in PROFILE_FIELDS
            if getattr(input, name) is not strawberry.UNSET
        }

        async def work(session: AsyncSession) -> int:
            member = await update_member_profile(
                session,
                context.principal,
                context.services.keyring,
                input.member_id,
                changes,
                tokenised.numbers,
            )
            return member.id

        payload = {**tokenised.payload, **{k: v for k, v in changes.items()}}
        result_id, errors = await write(context, "updateMemberProfile", input, work, payload)
        return UpdateMemberProfilePayload(member=await _member(info, result_id), errors=errors)

    @strawberry.mutation(description="Record her consent to share eligibility facts with a scheme.")
    async def give_consent(self, info: Info, input: GiveConsentInput) -> GiveConsentPayload:
        context = info.context

        async def work(session: AsyncSession) -> int:
            consent = await give_consent(
                session, context.principal, input.member_id, input.scheme, input.purpose
            )
            return consent.id

        result_id, errors = await write(context, "giveConsent", input, work)
        return GiveConsentPayload(consent=await _consent(info, result_id), errors=errors)

    @strawberry.mutation(description="Withdraw her consent to a scheme.")
    async def withdraw_consent(
        self, info: Info, input: WithdrawConsentInput
    ) -> WithdrawConsentPayload:
        context = info.context

        async def work(session: AsyncSession) -> int:
            consent = await withdraw_consent(
                session, context.principal, input.member_id, input.scheme
            )
            return consent.id

        result_id, errors = await write(context, "withdrawConsent", input, work)
        return WithdrawConsentPayload(consent=await _consent(info, result_id), errors=errors)
