"""The ASGI application: ``/graphql`` behind bearer-token auth, and ``/healthz``.

Authentication happens before GraphQL sees the request: a request without a
valid token gets a GraphQL-shaped error (``UNAUTHENTICATED``) and no data,
whatever it asked for, the federation fields ``_service`` and ``_entities``
included. GraphiQL's page itself is served without a token in development;
every operation it sends needs one.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from cross_web import HTTPException
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types import ExecutionResult

from api.auth import AuthenticationError, Authenticator, ScopeDirectory, TokenVerifier
from api.context import Context, Services
from api.identity.routes import CardRoutes
from api.request_limits import RequestLimits
from api.schema import build_schema
from core.access import NATIONAL, Principal, Role
from core.database import create_engine, session_factory
from core.redaction import scrub_every_log_record
from core.settings import Settings
from dedup.online import Matcher
from dedup.score import Thresholds
from identity.cards import CardSigner
from identity.tokens import keyring_from_settings

_PAGE_ONLY = Principal(subject="anonymous", role=Role.PARTNER, scope=NATIONAL)


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, schema: Any, services: Services):
        super().__init__(
            schema,
            graphql_ide=None if services.settings.is_production else "graphiql",
            allow_queries_via_get=False,
            subscription_protocols=(),
        )
        self.services = services

    async def get_context(self, request: Any, response: Any) -> Context:
        # Only GraphiQL's own page arrives here unauthenticated; it runs no operation,
        # and a caller with the partner role could read nothing if it did.
        principal: Principal = request.scope.get("state", {}).get("principal", _PAGE_ONLY)
        return Context(principal=principal, services=self.services)

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Strawberry's refusal of an unknown ``operationName`` quotes the name, which is
        whatever the client sent: refuse it in words of our own."""
        try:
            return await super().execute_single(*args, **kwargs)
        except HTTPException as refusal:
            if isinstance(refusal.__cause__, CannotGetOperationTypeError):
                raise HTTPException(
                    400, "The document has no operation of the name the request gives"
                ) from None
            raise


class AuthenticatedGraphQL:
    """Verifies the bearer token, resolves its scope, then hands over to GraphQL."""

    def __init__(
        self, graphql: GraphQLApp, authenticator: Authenticator, settings: Settings
    ) -> None:
        self.graphql = graphql
        self.authenticator = authenticator
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # no subscriptions: WebSocket handshakes are never accepted
        request = Request(scope, receive)
        if self._is_ide_page(request):
            await self.graphql(scope, receive, send)
            return
        try:
            principal = await self.authenticator.principal(request.headers.get("authorization"))
        except AuthenticationError as error:
            await unauthenticated(str(error))(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.graphql(scope, receive, send)

    def _is_ide_page(self, request: Request) -> bool:
        return (
            not self.settings.is_production
            and request.method == "GET"
            and "text/html" in request.headers.get("accept", "")
        )


def unauthenticated(message: str) -> Response:
    body = {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}],
    }
    return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})


def settle_heap() -> None:
    """Exempt everything alive at start-up (schema, models, libraries) from garbage collection.

    Full collections otherwise walk those hundreds of thousands of long-lived
    objects every few dozen requests; measured, that put 70–90 ms pauses into
    the p99 of 10 ms requests (bench/README.md).
    """
    gc.collect()
    gc.freeze()


def create_app(settings: Settings, engine: AsyncEngine | None = None) -> ASGIApp:
    """The whole API. Pass ``engine`` to share one (tests); otherwise one is made and disposed."""
    scrub_every_log_record()
    own_engine = engine is None
    db = (
        engine
        if engine is not None
        else create_engine(settings.database_url, lock_timeout_ms=settings.lock_timeout_ms)
    )
    sessions = session_factory(db)
    services = Services(
        settings=settings,
        sessions=sessions,
        keyring=keyring_from_settings(settings),
        cards=CardSigner.from_settings(settings),
        matcher=Matcher(
            thresholds=Thresholds(settings.dedup_duplicate_at, settings.dedup_review_at)
        ),
    )
    authenticator = Authenticator(TokenVerifier.from_settings(settings), ScopeDirectory(sessions))
    graphql = GraphQLApp(build_schema(settings), services)
    guarded = AuthenticatedGraphQL(graphql, authenticator, settings)
    cards = CardRoutes(services, authenticator)

    async def healthz(_request: Request) -> Response:
        try:
            async with db.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # any failure means unhealthy; the reason goes to the logs, not out
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        settle_heap()
        yield
        if own_engine:
            await db.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", guarded, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/.well-known/jwks.json", cards.jwks, methods=["GET"]),
            Route("/.well-known/card-revocations.json", cards.revocations, methods=["GET"]),
            Route("/cards/{member_id}", cards.card, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    return RequestLimits(app, settings.max_request_bytes, settings.max_json_depth)
