"""Community funds released down the chain: state mission to CLF, CLF to VO, VO to SHG.

The mission grants Revolving Fund, Community Investment Fund, Vulnerability
Reduction Fund and Community Enterprise Fund to federations and groups,
often through the federations above them. Each release is one
:class:`FundRelease` and one voucher in each book it moves:

| books | debit | credit |
|---|---|---|
| the federation passing it on | the fund | bank |
| the CBO receiving it | bank | the fund |

A release from the mission moves only the receiver's books (the mission
keeps its own). The two vouchers are one entry, approved, rejected or
reversed together (:mod:`ledger.vouchers`), and a federation passes on
only what its books hold of the fund: so a fund can be followed from the
mission to the group that holds it, and no rupee of it is in two books or
in none.

    release = await release_fund(session, principal, NewRelease(
        fund="revolving_fund", to_code="SHG-…", from_code="VO-…",
        amount_paise=1_500_000, released_on=date(2025, 4, 1)))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.access import Principal, Role, Scope
from core.errors import DomainError, ErrorCode
from core.money import check_paise
from hierarchy.cbos import check_transacting
from hierarchy.lookup import cbo_by_code
from hierarchy.models import Cbo, CboKind
from ledger.chart import ACCOUNTS, COMMUNITY_FUNDS
from ledger.models import LEDGER_ANCESTORS, FundRelease, Voucher, VoucherStatus
from ledger.vouchers import LineInput, NewVoucher, link, record_voucher

_MAKERS = (Role.ADMIN, Role.BOOKKEEPER)


@dataclass(frozen=True)
class NewRelease:
    fund: str  # an account code of COMMUNITY_FUNDS
    to_code: str
    from_code: str | None  # None: the state mission
    amount_paise: int
    released_on: date


async def release_fund(
    session: AsyncSession, principal: Principal, new: NewRelease, *, today: date | None = None
) -> FundRelease:
    """Record a release as draft vouchers in each book it moves, for a checker to approve."""
    principal.require(*_MAKERS)
    if new.fund not in COMMUNITY_FUNDS:
        raise DomainError(ErrorCode.INVALID, "fund", "Not a community fund")
    check_paise(new.amount_paise, "amount")
    if new.amount_paise == 0:
        raise DomainError(ErrorCode.INVALID, "amount", "A release gives something")
    receiver = await cbo_by_code(session, principal.scope, new.to_code)
    if receiver is None:
        raise DomainError(ErrorCode.NOT_FOUND, "toCode", "No CBO with this code in your scope")
    check_transacting(receiver, "toCode")
    if receiver.kind not in ACCOUNTS[new.fund].kinds:
        raise DomainError(
            ErrorCode.INVALID, "fund", f"A {receiver.kind.value.upper()} holds no such fund"
        )
    giver = await _giver(session, principal, receiver, new.from_code)
    fund = ACCOUNTS[new.fund].name
    source = "the state mission" if giver is None else giver.code
    received = await record_voucher(
        session,
        principal,
        NewVoucher(
            receiver.code,
            new.released_on,
            f"{fund} received from {source}",
            (
                LineInput("bank", debit_paise=new.amount_paise),
                LineInput(new.fund, credit_paise=new.amount_paise),
            ),
        ),
        today=today,
        date_field="releasedOn",
    )
    if giver is not None:
        given = await record_voucher(
            session,
            principal,
            NewVoucher(
                giver.code,
                new.released_on,
                f"{fund} released to {receiver.code}",
                (
                    LineInput(new.fund, debit_paise=new.amount_paise),
                    LineInput("bank", credit_paise=new.amount_paise),
                ),
            ),
            today=today,
            date_field="releasedOn",
            amount_field="amount",
        )
        link(received, given)
    release = FundRelease(
        fund=new.fund,
        from_cbo_id=None if giver is None else giver.id,
        to_cbo_id=receiver.id,
        amount_paise=new.amount_paise,
        released_on=new.released_on,
        voucher_id=received.id,
        created_by=principal.subject,
    )
    for column in LEDGER_ANCESTORS:
        setattr(release, column, getattr(receiver, column))
    session.add(release)
    await session.flush()
    return release


async def _giver(
    session: AsyncSession, principal: Principal, receiver: Cbo, from_code: str | None
) -> Cbo | None:
    """The federation passing the fund on: one the receiver belongs to, seen by the maker.
    None for the state mission, whose releases are recorded by its staff: a state scope or
    above, not a federation's or a group's own bookkeeper."""
    if from_code is None:
        if principal.scope.column not in (None, "state_id"):
            raise DomainError(
                ErrorCode.FORBIDDEN,
                "fromCode",
                "A release from the state mission is recorded at state level",
            )
        return None
    giver = await cbo_by_code(session, principal.scope, from_code)
    if giver is None:
        raise DomainError(ErrorCode.NOT_FOUND, "fromCode", "No CBO with this code in your scope")
    check_transacting(giver, "fromCode")
    if giver.kind is CboKind.SHG or giver.id not in (receiver.clf_id, receiver.vo_id):
        raise DomainError(
            ErrorCode.OUTSIDE_PARENT,
            "fromCode",
            "A fund is passed on by a federation the receiver belongs to",
        )
    if giver.id == receiver.id:
        raise DomainError(ErrorCode.INVALID, "fromCode", "A CBO does not release to itself")
    return giver


@dataclass(frozen=True)
class FundTotals:
    fund: str
    received_paise: int
    released_paise: int


@dataclass(frozen=True)
class ReleaseState:
    release: FundRelease
    status: VoucherStatus  # of its vouchers
    reversed: bool  # posted, then undone by an approved reversal

    @property
    def stands(self) -> bool:
        return self.status is VoucherStatus.APPROVED and not self.reversed


@dataclass(frozen=True)
class FundFlow:
    """The releases to and from one CBO, oldest first, each with where it stands."""

    cbo: Cbo
    releases: list[ReleaseState]

    def totals(self) -> list[FundTotals]:
        """Per fund, what releases that stand brought in and passed on."""
        received: dict[str, int] = dict.fromkeys(COMMUNITY_FUNDS, 0)
        released: dict[str, int] = dict.fromkeys(COMMUNITY_FUNDS, 0)
        for state in self.releases:
            release = state.release
            if not state.stands:
                continue
            into = received if release.to_cbo_id == self.cbo.id else released
            into[release.fund] += release.amount_paise
        return [
            FundTotals(fund, received[fund], released[fund])
            for fund in COMMUNITY_FUNDS
            if received[fund] or released[fund]
        ]


async def fund_flow(session: AsyncSession, scope: Scope, cbo_code: str) -> FundFlow | None:
    """Releases to and from one CBO within the reader's scope; None outside it."""
    cbo = await cbo_by_code(session, scope, cbo_code)
    if cbo is None:
        return None
    reversal = aliased(Voucher)
    rows = await session.execute(
        select(FundRelease, Voucher.status, reversal.id.is_not(None))
        .join(Voucher, Voucher.id == FundRelease.voucher_id)
        .outerjoin(
            reversal,
            (reversal.reverses_id == FundRelease.voucher_id)
            & (reversal.status == VoucherStatus.APPROVED),
        )
        .where(
            (FundRelease.to_cbo_id == cbo.id) | (FundRelease.from_cbo_id == cbo.id),
            scope.clause(FundRelease),
        )
        .order_by(FundRelease.released_on, FundRelease.id)
    )
    return FundFlow(cbo, [ReleaseState(*row) for row in rows])
