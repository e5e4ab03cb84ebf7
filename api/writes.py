"""How every write mutation runs: one transaction, idempotency, typed errors.

>>> result_id = await run_write(info, "createShg", payload, key, work)

``work`` does the domain call on the transaction's session and returns the id
of what it produced. Any :class:`DomainError` rolls everything back and
becomes the payload's ``errors``; a replay under the same idempotency key
returns the first call's result without writing again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.context import Context
from core.database import transaction
from core.idempotency import IdempotentCall, remember_result, replayed_result

Work = Callable[[AsyncSession], Awaitable[int]]


async def run_write(
    context: Context,
    operation: str,
    payload: dict[str, Any],
    idempotency_key: str | None,
    work: Work,
) -> int:
    call = (
        IdempotentCall.of(context.principal.subject, idempotency_key, operation, payload)
        if idempotency_key is not None
        else None
    )
    try:
        return await _attempt(context, call, work)
    except IntegrityError:
        # A concurrent twin won a unique key (the idempotency key, or a code):
        # run again so this call sees what the twin wrote and answers from it.
        return await _attempt(context, call, work)


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
