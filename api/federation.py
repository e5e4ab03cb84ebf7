"""The federation gateway's own field: ``_service { sdl }``, for the gateway alone.

Strawberry adds ``_service`` open to every caller, which in production would
hand the whole schema to anyone with a token while introspection is off. This
field takes its place (strawberry keeps a query type's own ``_service``): the
SDL goes to the subjects named in ``LOKOS_GATEWAY_SUBJECTS`` — the identity
the gateway's token carries — and, in development only, to any caller, like
introspection.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.printer import print_schema

from api.errors import FORBIDDEN
from api.hierarchy.types import Info
from core.settings import Environment


@strawberry.type(name="_Service")
class Service:
    sdl: str


@strawberry.type
class FederationQuery:
    @strawberry.field(name="_service", description="The subgraph's SDL, for the gateway.")
    def service(self, info: Info) -> Service:
        context = info.context
        settings = context.settings
        is_gateway = context.principal.subject in settings.gateway_subjects
        if not (is_gateway or settings.env is Environment.DEVELOPMENT):
            raise GraphQLError(
                "Only the federation gateway reads the subgraph's schema",
                extensions={"code": FORBIDDEN},
            )
        return Service(sdl=print_schema(info.schema))
