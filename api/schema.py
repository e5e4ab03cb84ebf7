"""The schema: every domain's queries and mutations, as one Apollo Federation v2 subgraph."""

from __future__ import annotations

import logging
import traceback
from datetime import date
from functools import cached_property

import strawberry
from graphql import GraphQLError
from strawberry.federation import Schema
from strawberry.federation.schema import FederationAny
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, Info

from api.dedup.mutations import DedupMutation
from api.dedup.queries import DedupQuery
from api.dedup.types import DuplicateCandidate
from api.errors import is_public
from api.federation import FederationQuery, entity_keys, is_reference, not_a_reference
from api.hierarchy.mutations import HierarchyMutation
from api.hierarchy.queries import HierarchyQuery
from api.hierarchy.types import Clf, GeoUnit, Member, Shg, VillageOrganisation
from api.identity.mutations import IdentityMutation
from api.identity.queries import IdentityQuery
from api.ledger.cutoff import CutOffMutation
from api.ledger.funds import CommunityFund, FundMutation
from api.ledger.loans import Loan, LoanMutation
from api.ledger.meetings import Meeting, MeetingMutation
from api.ledger.mutations import LedgerMutation
from api.ledger.queries import LedgerQuery
from api.ledger.types import MONEY_SCALAR, Money, Voucher
from api.redaction import client_name, rebuild_input_errors
from api.scalars import DATE_SCALAR
from api.security import extensions
from core.settings import Settings
from ledger.chart import ACCOUNTS
from ledger.loans import MAX_MONTHS
from ledger.vouchers import MAX_VOUCHER_LINES


@strawberry.type
class Query(HierarchyQuery, IdentityQuery, LedgerQuery, DedupQuery, FederationQuery):
    pass


@strawberry.type
class Mutation(
    HierarchyMutation,
    IdentityMutation,
    LedgerMutation,
    LoanMutation,
    MeetingMutation,
    CutOffMutation,
    FundMutation,
    DedupMutation,
):
    pass


def list_bounds(settings: Settings) -> dict[str, int]:
    """The longest each list field can be, which the query-cost limiter charges.

    Fields with a ``first`` argument are charged their page instead, and a
    connection's ``edges`` are that page; every other list field of the schema
    is here (a test checks it), by ``Type.field`` or, for payloads, by name.
    """
    # The vouchers of one entry or meeting, and what a cut-off made: one per loan or
    # repayment it was given, so bounded only by the write's input items (100). Charged
    # at what a group's entry has in practice instead: the worst case times a voucher's
    # lines would refuse every everyday read of a meeting's or a release's vouchers.
    per_entry = 10
    return {
        "errors": 20,  # one per refused input field; plain data, nothing fetched
        "reasons": 20,  # one per compared field of the match model
        # A voucher typed line by line has at most this many; a big group's meeting or
        # cut-off builds one of up to two lines per member listed (input items, 100), and
        # three more: charged, like an entry's vouchers, at what a voucher has in practice.
        "Voucher.lines": MAX_VOUCHER_LINES,
        "Voucher.linked": per_entry,
        "Meeting.vouchers": per_entry,
        "RecordCutOffPayload.vouchers": per_entry,
        "RecordCutOffPayload.loans": per_entry,
        "Loan.schedule": MAX_MONTHS,
        "Panchasutra.scores": 5,
        "FundFlow.totals": len(CommunityFund),
        "Passbook.entries": settings.max_page_size,  # its `last`
        "Passbook.balances": len(ACCOUNTS),
        "TrialBalance.lines": len(ACCOUNTS),
        "BalanceSheet.assets": len(ACCOUNTS),
        "BalanceSheet.liabilities": len(ACCOUNTS),
        "BalanceSheet.funds": len(ACCOUNTS),
        "ReceiptsAndPayments.receipts": len(ACCOUNTS),
        "ReceiptsAndPayments.payments": len(ACCOUNTS),
    }


logger = logging.getLogger("lokos.api")


class LokosSchema(Schema):
    # Set by build_schema: the token limit, whose parse error is one of our own words.
    max_tokens: int | None = None

    @cached_property
    def _entity_keys(self) -> dict[str, frozenset[str]]:
        return entity_keys(self.schema_converter.type_map)

    def entities_resolver(
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        """Strawberry's resolver, for the representations that are references (api.federation);
        each other one answers a typed error at its place."""
        keys = self._entity_keys
        good = [is_reference(r, keys) for r in representations]  # before strawberry pops keys
        resolved = iter(
            super().entities_resolver(
                info, [r for r, ok in zip(representations, good, strict=True) if ok]
            )
        )
        return [
            next(resolved) if ok else FederationAny(not_a_reference(index))
            for index, ok in enumerate(good)
        ]

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Rebuild errors that would quote the request (api.redaction), then log them
        without personal data.

        Strawberry's default logs the error text with the query source around it
        (where a client may have inlined a name or number) and, for database
        failures, the statement. Here a line carries the operation (when its name
        is plainly a name), the path, the error's code and its message, which
        api.redaction has rebuilt by now from names and positions; unexpected
        errors add their exception's type and stack frames, never their message.
        """
        if execution_context is not None:
            rebuild_input_errors(errors, execution_context, self.max_tokens)
        name = execution_context.operation_name if execution_context else None
        operation = client_name(name) or "-"
        for error in errors:
            original = error.original_error
            code = (error.extensions or {}).get("code", "-")
            if original is None or is_public(error):
                logger.info(
                    "graphql error %s in %s at %s: %s", code, operation, error.path, error.message
                )
                continue
            kind = type(original).__name__
            frames = "".join(traceback.format_tb(original.__traceback__))
            logger.error("unexpected %s in %s at %s\n%s", kind, operation, error.path, frames)


def build_schema(settings: Settings) -> Schema:
    schema = LokosSchema(
        query=Query,
        mutation=Mutation,
        types=[
            GeoUnit,
            Clf,
            VillageOrganisation,
            Shg,
            Member,
            Voucher,
            Loan,
            Meeting,
            DuplicateCandidate,
        ],
        extensions=extensions(settings, list_bounds(settings)),
        config=StrawberryConfig(
            disable_field_suggestions=True, scalar_map={Money: MONEY_SCALAR, date: DATE_SCALAR}
        ),
    )
    schema.max_tokens = settings.max_tokens
    return schema


def sdl(settings: Settings | None = None) -> str:
    """The exported schema text (``schema.graphql``)."""
    return build_schema(settings or Settings()).as_str() + "\n"
