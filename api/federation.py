"""Federation: the gateway's own field ``_service { sdl }``, and which references
``_entities`` takes.

Strawberry adds ``_service`` open to every caller, which in production would
hand the whole schema to anyone with a token while introspection is off. This
field takes its place (strawberry keeps a query type's own ``_service``): the
SDL goes to the subjects named in ``LOKOS_GATEWAY_SUBJECTS`` — the identity
the gateway's token carries — and, in development only, to any caller, like
introspection.

``_entities`` resolves a representation only when it is one: an object whose
``__typename`` names an entity of this subgraph and whose key fields, and
nothing else, are strings. Strawberry's resolver takes anything, and a
missing or unknown type or a key of the wrong type surfaced as an internal
error with a stack in the log.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.federation.schema_directives import Key
from strawberry.printer import print_schema

from api.errors import BAD_USER_INPUT, FORBIDDEN
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


def entity_keys(type_map: dict[str, Any]) -> dict[str, frozenset[str]]:
    """Each entity type's name and its key fields, from its ``@key`` directives."""
    keys: dict[str, frozenset[str]] = {}
    for name, type_ in type_map.items():
        for directive in getattr(type_.definition, "directives", None) or ():
            if isinstance(directive, Key):
                keys[name] = keys.get(name, frozenset()) | frozenset(str(directive.fields).split())
    return keys


def is_reference(representation: object, keys: dict[str, frozenset[str]]) -> bool:
    if not isinstance(representation, dict):
        return False
    type_name = representation.get("__typename")
    fields = keys.get(type_name) if isinstance(type_name, str) else None
    given = set(representation) - {"__typename"}
    return (
        fields is not None
        and given == fields
        and all(isinstance(representation[name], str) for name in fields)
    )


def not_a_reference(index: int) -> GraphQLError:
    return GraphQLError(
        f"representations[{index}] is not a reference to an entity of this subgraph",
        extensions={"code": BAD_USER_INPUT},
    )
