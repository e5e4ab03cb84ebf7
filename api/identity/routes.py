"""Plain HTTP routes of identity: the card keys (JWKS), the card revocation list and
printable cards.

``/.well-known/jwks.json`` and ``/.well-known/card-revocations.json`` are
public: partners fetch them to verify cards offline. The revocation list holds
only the ``jti`` of revoked, unexpired cards and its issue time, signed with
the card key. ``/cards/{memberId}`` needs a bearer token like the API, and
answers 404 for a member outside the caller's scope, exactly as for an unknown one.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.auth import AuthenticationError, Authenticator
from api.context import Services
from core.database import is_busy, snapshot, transaction
from core.errors import DomainError, ErrorCode
from identity.cards import card_png, issue_card, revoked_card_ids
from identity.member_id import is_valid_member_id

# Drawing a card and its QR code is 50-100 ms of CPU, mostly Python (qrcode
# tries eight masks); on the event loop every other request waited that long
# per card. On a worker thread the loop gets the interpreter back every few
# milliseconds. One thread, so a burst of cards queues instead of crowding the
# loop out.
_CARD_DRAWING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="card-drawing")


class CardRoutes:
    def __init__(self, services: Services, authenticator: Authenticator) -> None:
        self.services = services
        self.authenticator = authenticator

    async def jwks(self, _request: Request) -> Response:
        return JSONResponse(
            self.services.cards.jwks(), headers={"Cache-Control": "public, max-age=3600"}
        )

    async def revocations(self, _request: Request) -> Response:
        async with snapshot(self.services.sessions) as session:
            revoked = await revoked_card_ids(session)
        return JSONResponse(
            {"signed": self.services.cards.revocations(revoked)},
            headers={"Cache-Control": "public, max-age=300"},
        )

    async def card(self, request: Request) -> Response:
        try:
            principal = await self.authenticator.principal(request.headers.get("authorization"))
        except AuthenticationError as error:
            return JSONResponse(
                {"error": str(error)}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        member_id = request.path_params["member_id"]
        if not is_valid_member_id(member_id):
            # Not even the shape of a member ID (a NUL in it failed on PostgreSQL): no lookup.
            return JSONResponse(
                {"error": "No member with this ID in your scope", "code": "NOT_FOUND"},
                status_code=404,
            )
        try:
            async with transaction(self.services.sessions) as session:
                issued = await issue_card(session, principal, self.services.cards, member_id)
        except DomainError as error:
            status = {ErrorCode.NOT_FOUND: 404, ErrorCode.FORBIDDEN: 403}.get(error.code, 409)
            return JSONResponse(
                {"error": error.message, "code": error.code.name}, status_code=status
            )
        except DBAPIError as error:
            if not is_busy(error):
                raise
            # Issuing records the card: under other writers' locks, as retryable as a mutation.
            return JSONResponse(
                {"error": "Other writers held the database too long; ask again", "code": "BUSY"},
                status_code=503,
                headers={"Retry-After": "1"},
            )
        png = await asyncio.get_running_loop().run_in_executor(
            _CARD_DRAWING, card_png, issued.token, issued.claims
        )
        return Response(
            png,
            media_type="image/png",
            headers={"Cache-Control": "no-store"},
        )
