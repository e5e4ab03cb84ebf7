"""How every write mutation runs: one transaction, idempotency, typed errors.

>>> result_id = await run_write(info, "createShg", payload, key, work)

``work`` does the domain call on the transaction's session and returns the id
of what it produced. Any :class:`DomainError` rolls everything back and
becomes the payload's ``errors``; a replay under the same idempotency key
returns the first call's result without writing again. When other writers
hold the locks past the lock timeout, the mutation fails whole with a
top-level ``BUSY`` error (``extensions.retryable``): send it again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.context import Context
from api.errors import BUSY, UserError, user_errors
from core.database import is_busy, transaction
from core.errors import DomainError
from core.idempotency import IdempotentCall, remember_result, replayed_result

Work = Callable[[AsyncSession], Awaitable[int]]


async def run_write(
    context: Context,
    operation: str,
    payload: dict[str, Any],
    idempotency_key: str | None,
    work: Work,
) -> int:
    # The caller's role and scope are part of the call: a replay under another
    # role or scope is a different request, not a way round the checks.
    principal = context.principal
    payload = {**payload, "_as": [principal.role.value, principal.scope.code]}
    call = (
        IdempotentCall.of(principal.subject, idempotency_key, operation, payload)
        if idempotency_key is not None
        else None
    )
    try:
        try:
            return await _attempt(context, call, work)
        except IntegrityError:
            # A concurrent twin won a unique key (the idempotency key, or a code):
            # run again so this call sees what the twin wrote and answers from it.
            return await _attempt(context, call, work)
    except DBAPIError as error:
        if not is_busy(error):
            raise
        raise busy_error() from None


def busy_error() -> GraphQLError:
    """Other writers held the locks past the lock timeout: nothing was written, and the
    same request (with its idempotency key) may be sent again."""
    return GraphQLError(
        "Other writes held the database too long and nothing was written; "
        "send the same request again",
        extensions={"code": BUSY, "retryable": True},
    )


async def _attempt(context: Context, call: IdempotentCall | None, work: Work) -> int:
    async with transaction(context.sessions) as session:
        if call is not None:
            prior = await replayed_result(session, call)
            if prior is not None:
                return prior
        result_id = await work(session)
        if call is not None:
            remember_result(session, call, result_id)
            await session.flush()
        return result_id


def idempotency_key() -> Any:
    """The optional ``idempotencyKey`` of every write mutation's input (a fresh field each call)."""
    return strawberry.field(
        default=None,
        description=(
            "A string unique to this action on the client; a retry with it writes nothing new."
        ),
    )


def payload_of(data: Any, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """An input as plain data for the idempotency fingerprint, without the key itself
    and without the fields in ``drop`` (raw identity numbers: pass their tokens instead)."""
    fields = asdict(data)
    for name in ("idempotency_key", *drop):
        fields.pop(name, None)
    return fields


async def write(
    context: Context, operation: str, data: Any, work: Work, payload: dict[str, Any] | None = None
) -> tuple[int | None, list[UserError]]:
    """Run a mutation's write: the id it produced, or the typed errors that refused it."""
    try:
        result_id = await run_write(
            context,
            operation,
            payload if payload is not None else payload_of(data),
            data.idempotency_key,
            work,
        )
    except DomainError as error:
        return None, user_errors(error)
    return result_id, []
