"""Enrolment and the life of a membership: enrol, transfer, exit, correct.

Raw identity numbers enter as :class:`IdentityNumbers`, are validated and
tokenised here (through :mod:`identity.tokens`, the only place that does it),
and go no further: rows get tokens and last four digits, audit rows get ids.

One active membership per Aadhaar nationwide: enrolment first looks the
Aadhaar up under every active key and refuses a second membership; the
registry's unique index on active tokens makes the same refusal hold when
two enrolments race (the loser's transaction fails and, retried, is refused).

She leaves an SHG (exit, transfer) only square with it (:mod:`ledger.settlement`),
and a transfer takes the review pairs of her membership along, so her former
SHG's scope no longer sees them (:func:`dedup.online.follow_transfer`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Principal, Role
from core.audit import record_audit
from core.database import utc_now
from core.errors import DomainError, ErrorCode, Refusals
from dedup.models import FoundBy
from dedup.online import (
    LikelyDuplicate,
    Matcher,
    Newcomer,
    check_new_member,
    follow_transfer,
    lock_keys,
    person_of,
    queue_pair,
    store_keys,
)
from dedup.score import Match
from dedup.verdict import Verdict
from hierarchy.fields import check_not_before, check_not_future
from hierarchy.lookup import member_by_member_id
from hierarchy.members import (
    MemberProfile,
    check_can_take_part,
    clean_profile,
    member_row,
    place_member,
    shg_to_join,
    unused_member_id,
)
from hierarchy.models import Cbo, Member, MembershipPeriod, MemberStatus
from identity.cards import revoke_cards
from identity.models import AadhaarRegistration
from identity.numbers import clean_aadhaar, clean_account, clean_ifsc
from identity.tokens import Keyring
from ledger.settlement import check_settled

_WRITERS = (Role.ADMIN, Role.BOOKKEEPER)


@dataclass(frozen=True)
class IdentityNumbers:
    """Raw numbers as given; kept out of ``repr`` so no trace or log can print them."""

    aadhaar: str | None = field(default=None, repr=False)
    bank_ifsc: str | None = None
    bank_account: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class IdentityTokens:
    """What is kept of identity numbers: keyed tokens and last four digits."""

    # One token per active key, current first: members enrolled before a
    # rotation carry an older key's token and must still be found.
    aadhaar_candidates: tuple[str, ...] = ()
    aadhaar_last4: str | None = None
    bank_candidates: tuple[str, ...] = ()
    bank_last4: str | None = None
    bank_ifsc: str | None = None

    @property
    def aadhaar_token(self) -> str | None:
        """The token to store: the one under the current key."""
        return self.aadhaar_candidates[0] if self.aadhaar_candidates else None

    @property
    def bank_token(self) -> str | None:
        """The token to store: the one under the current key."""
        return self.bank_candidates[0] if self.bank_candidates else None

    def fingerprint(self) -> dict[str, Any]:
        """A stand-in for the numbers in an idempotency fingerprint: tokens, never digits."""
        return {"aadhaar": self.aadhaar_token, "bank": self.bank_token, "ifsc": self.bank_ifsc}


def tokenise(numbers: IdentityNumbers, keyring: Keyring) -> IdentityTokens:
    """Tokens of the numbers given, or every number's refusal at once (InputErrors)."""
    refusals = Refusals()
    tokens = IdentityTokens()
    if numbers.aadhaar:
        digits = refusals.check(clean_aadhaar, numbers.aadhaar)
        if digits is not None:
            tokens = replace(
                tokens,
                aadhaar_candidates=tuple(keyring.candidates("aadhaar", digits)),
                aadhaar_last4=digits[-4:],
            )
    if numbers.bank_account or numbers.bank_ifsc:
        ifsc = account = None
        if numbers.bank_ifsc:
            ifsc = refusals.check(clean_ifsc, numbers.bank_ifsc)
        else:
            refusals.add(
                DomainError(ErrorCode.REQUIRED, "bankIfsc", "A bank account needs its IFSC")
            )
        if numbers.bank_account:
            account = refusals.check(clean_account, numbers.bank_account)
        else:
            refusals.add(
                DomainError(ErrorCode.REQUIRED, "bankAccount", "An IFSC needs its account number")
            )
        if ifsc is not None and account is not None:
            # The IFSC is part of the token: account numbers repeat across banks.
            tokens = replace(
                tokens,
                bank_candidates=tuple(keyring.candidates("bank", f"{ifsc}:{account}")),
                bank_last4=account[-4:],
                bank_ifsc=ifsc,
            )
    refusals.raise_any()
    return tokens


def check_enrolment(
    profile: MemberProfile, numbers: IdentityNumbers, keyring: Keyring, today: date
) -> tuple[MemberProfile, IdentityTokens]:
    """Every field of an enrolment (or of a profile as corrected) checked, and all refusals
    raised together: the profile cleaned and the numbers tokenised."""
    refusals = Refusals()
    clean = refusals.check(clean_profile, profile, today)
    tokens = refusals.check(tokenise, numbers, keyring)
    refusals.raise_any()
    assert clean is not None
    assert tokens is not None
    return clean, tokens


async def _enrolled_with(session: AsyncSession, candidates: tuple[str, ...]) -> Member | None:
    """The member holding an active registration under any of these tokens."""
    member: Member | None = await session.scalar(
        select(Member)
        .join(AadhaarRegistration, AadhaarRegistration.member_pk == Member.id)
        .where(AadhaarRegistration.token.in_(candidates), AadhaarRegistration.active)
    )
    return member


async def _refuse_if_enrolled(
    session: AsyncSession, principal: Principal, tokens: IdentityTokens, exclude: int | None = None
) -> None:
    if not tokens.aadhaar_candidates:
        return
    holder = await _enrolled_with(session, tokens.aadhaar_candidates)
    if holder is None or holder.id == exclude:
        return
    if principal.scope.contains(holder):
        shg = await session.get(Cbo, holder.shg_id)
        assert shg is not None
        detail = (
            f"member {masked_member_id(holder.member_id)} ({initials(holder.name)}) "
            f"of SHG {shg.code}"
        )
    else:
        detail = "a member outside your scope"
    raise DomainError(
        ErrorCode.ALREADY_ENROLLED,
        "aadhaar",
        f"This Aadhaar number is already enrolled with {detail}; move her with a transfer",
    )


def masked_member_id(member_id: str) -> str:
    return "X" * (len(member_id) - 4) + member_id[-4:]


def initials(name: str) -> str:
    """>>> initials("Sunita Devi")
    'S. D.'"""
    return " ".join(f"{part[0]}." for part in name.split() if part)


def _register(session: AsyncSession, member: Member, tokens: IdentityTokens) -> None:
    member.aadhaar_last4 = tokens.aadhaar_last4 or member.aadhaar_last4
    if tokens.bank_token:
        member.bank_token = tokens.bank_token
        member.bank_last4 = tokens.bank_last4
        member.bank_ifsc = tokens.bank_ifsc
    if tokens.aadhaar_token:
        session.add(
            AadhaarRegistration(token=tokens.aadhaar_token, member_pk=member.id, active=True)
        )


async def _end_registrations(session: AsyncSession, member: Member) -> None:
    await session.execute(
        update(AadhaarRegistration)
        .where(AadhaarRegistration.member_pk == member.id, AadhaarRegistration.active)
        .values(active=False, ended_at=utc_now())
    )


async def enroll_member(
    session: AsyncSession,
    principal: Principal,
    keyring: Keyring,
    shg_code: str,
    profile: MemberProfile,
    numbers: IdentityNumbers,
    *,
    today: date | None = None,
    matcher: Matcher | None = None,
) -> Member:
    """Validate, refuse a second membership of the same Aadhaar or of a likely duplicate,
    hold her as pending when a reviewer must decide, and issue her ID."""
    principal.require(*_WRITERS)
    today = today or date.today()
    clean, tokens = check_enrolment(profile, numbers, keyring, today)
    shg = await shg_to_join(session, principal, shg_code, "shgCode")
    joined_on = clean.joined_on or today
    check_not_before(joined_on, shg.formed_on, "joinedOn", "the SHG was formed")
    member = member_row(shg, await unused_member_id(session), clean, joined_on, principal.subject)
    member.bank_token = tokens.bank_token
    newcomer = Newcomer(
        person_of(member, tokens.aadhaar_token), tokens.aadhaar_candidates, tokens.bank_candidates
    )
    await lock_keys(session, newcomer)
    await _refuse_if_enrolled(session, principal, tokens)
    matcher = matcher or Matcher()
    check = await check_new_member(session, newcomer, matcher)
    if check.verdict is Verdict.DUPLICATE:
        holder, match = next(item for item in check.matches if item[1].verdict is Verdict.DUPLICATE)
        await _refuse_as_duplicate(session, principal, holder, match)
    if check.verdict is Verdict.REVIEW:
        member.status = MemberStatus.PENDING
    session.add(member)
    await session.flush()
    _register(session, member, tokens)
    session.add(MembershipPeriod(member_pk=member.id, shg_id=shg.id, joined_on=joined_on))
    await store_keys(session, member)
    for holder, match in check.matches:
        queue_pair(session, holder, member, match, FoundBy.ENROLMENT, matcher.model.version)
    await record_audit(
        session,
        actor=principal.subject,
        action="member.enrolled",
        entity_type="member",
        entity_id=member.id,
        detail={
            "member_id": member.member_id,
            "shg": shg.code,
            "verdict": check.verdict.value,
            "candidates": [holder.id for holder, _ in check.matches],
        },
    )
    await session.flush()  # the registry's unique index speaks here, inside the transaction
    return member


async def _refuse_as_duplicate(
    session: AsyncSession, principal: Principal, holder: Member, match: Match
) -> None:
    """Refuse with the match masked: her ID's last four, and her SHG only within scope."""
    shg_code = None
    if principal.scope.contains(holder):
        shg = await session.get(Cbo, holder.shg_id)
        shg_code = shg.code if shg else None
    raise LikelyDuplicate(match, masked_member_id(holder.member_id), shg_code)


async def _active_member(session: AsyncSession, principal: Principal, member_id: str) -> Member:
    member = await member_by_member_id(session, principal.scope, member_id, for_update=True)
    if member is None:
        raise DomainError(ErrorCode.NOT_FOUND, "memberId", "No member with this ID in your scope")
    check_can_take_part(member, "memberId")
    return member


async def _current_period(session: AsyncSession, member: Member) -> MembershipPeriod:
    period = await session.scalar(
        select(MembershipPeriod)
        .where(MembershipPeriod.member_pk == member.id, MembershipPeriod.left_on.is_(None))
        .order_by(MembershipPeriod.joined_on.desc())
    )
    assert period is not None, "an active member always has an open membership period"
    return period


def _reason(reason: str | None) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise DomainError(ErrorCode.REQUIRED, "reason", "Say why")
    if len(text) > 256:
        raise DomainError(ErrorCode.INVALID, "reason", "The reason is at most 256 characters")
    return text


async def transfer_member(
    session: AsyncSession,
    principal: Principal,
    member_id: str,
    to_shg_code: str,
    on: date,
    reason: str,
    *,
    today: date | None = None,
) -> Member:
    """Exit her current SHG and join another on the same day; her member ID and identity stay.

    Only once she is square with the SHG she leaves (:mod:`ledger.settlement`)."""
    principal.require(*_WRITERS)
    why = _reason(reason)
    check_not_future(on, "transferredOn", today or date.today())
    member = await _active_member(session, principal, member_id)
    await check_settled(session, member, "memberId")
    target = await shg_to_join(session, principal, to_shg_code, "toShgCode")
    if target.id == member.shg_id:
        raise DomainError(ErrorCode.INVALID, "toShgCode", "She is already a member of this SHG")
    period = await _current_period(session, member)
    check_not_before(on, period.joined_on, "transferredOn", "she joined her current SHG")
    check_not_before(on, target.formed_on, "transferredOn", "the new SHG was formed")
    period.left_on = on
    period.left_reason = why
    previous_shg = member.shg_id
    place_member(member, target)
    member.joined_on = on
    session.add(MembershipPeriod(member_pk=member.id, shg_id=target.id, joined_on=on))
    await revoke_cards(session, member, "transfer", principal.subject)  # they name her old SHG
    await store_keys(session, member)
    await follow_transfer(session, member)
    await record_audit(
        session,
        actor=principal.subject,
        action="member.transferred",
        entity_type="member",
        entity_id=member.id,
        detail={"member_id": member.member_id, "from_shg_id": previous_shg, "to_shg": target.code},
    )
    await session.flush()
    return member


async def exit_member(
    session: AsyncSession,
    principal: Principal,
    member_id: str,
    on: date,
    reason: str,
    *,
    today: date | None = None,
) -> Member:
    """End her membership; her Aadhaar becomes free to enrol again, her record stays.

    Only once she is square with her SHG (:mod:`ledger.settlement`)."""
    principal.require(*_WRITERS)
    why = _reason(reason)
    check_not_future(on, "exitedOn", today or date.today())
    member = await _active_member(session, principal, member_id)
    await check_settled(session, member, "memberId")
    period = await _current_period(session, member)
    check_not_before(on, period.joined_on, "exitedOn", "she joined her SHG")
    period.left_on = on
    period.left_reason = why
    member.status = MemberStatus.EXITED
    member.exited_on = on
    member.exit_reason = why
    await _end_registrations(session, member)
    await revoke_cards(session, member, "exit", principal.subject)
    await record_audit(
        session,
        actor=principal.subject,
        action="member.exited",
        entity_type="member",
        entity_id=member.id,
        detail={"member_id": member.member_id},
    )
    await session.flush()
    return member


PROFILE_FIELDS = (
    "name",
    "gender",
    "relative_name",
    "relation",
    "birth_date",
    "birth_year",
    "mobile",
    "social_category",
)


# What an ID card shows of her profile (identity.cards.card_claims): a card printed before
# a correction of any of these would go on verifying with what was wrong.
_ON_HER_CARD = frozenset({"name", "aadhaar", "bank"})


async def update_member_profile(
    session: AsyncSession,
    principal: Principal,
    keyring: Keyring,
    member_id: str,
    changes: dict[str, Any],
    numbers: IdentityNumbers,
    *,
    today: date | None = None,
) -> Member:
    """Correct her profile; a new Aadhaar or bank account is validated and tokenised afresh.

    ``changes`` holds only the fields the caller sent (a field sent as None clears it).
    """
    principal.require(*_WRITERS)
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    member = await _active_member(session, principal, member_id)
    current = MemberProfile(**{name: getattr(member, name) for name in PROFILE_FIELDS})
    clean, tokens = check_enrolment(
        replace(current, **changes), numbers, keyring, today or date.today()
    )
    await _refuse_if_enrolled(session, principal, tokens, exclude=member.id)
    changed = sorted(
        name for name in PROFILE_FIELDS if getattr(member, name) != getattr(clean, name)
    )
    for name in PROFILE_FIELDS:
        setattr(member, name, getattr(clean, name))
    if tokens.aadhaar_token:
        await _end_registrations(session, member)  # re-tokenised under the current key
        changed.append("aadhaar")
    if tokens.bank_token:
        changed.append("bank")
    _register(session, member, tokens)
    await store_keys(session, member)
    if _ON_HER_CARD.intersection(changed):
        await revoke_cards(session, member, "profile corrected", principal.subject)
    await record_audit(
        session,
        actor=principal.subject,
        action="member.updated",
        entity_type="member",
        entity_id=member.id,
        detail={"member_id": member.member_id, "fields": changed},
    )
    await session.flush()
    return member


async def end_duplicate_membership(
    session: AsyncSession, member: Member, on: date, reason: str
) -> None:
    """End a membership found to be a second enrolment of a member (pending or active).

    The caller (a reviewer's decision) checks roles and scope and audits.
    """
    period = await _current_period(session, member)
    period.left_on = max(on, period.joined_on)
    period.left_reason = reason
    member.status = MemberStatus.EXITED
    member.exited_on = period.left_on
    member.exit_reason = reason
    await _end_registrations(session, member)
