"""The schema: every domain's queries and mutations, as one Apollo Federation v2 subgraph."""

from __future__ import annotations

import strawberry
from strawberry.federation import Schema
from strawberry.schema.config import StrawberryConfig

from api.hierarchy.mutations import HierarchyMutation
from api.hierarchy.queries import HierarchyQuery
from api.hierarchy.types import Clf, GeoUnit, Member, Shg, VillageOrganisation
from api.security import extensions, register_connection_fields
from core.settings import Settings


@strawberry.type
class Query(HierarchyQuery):
    pass


@strawberry.type
class Mutation(HierarchyMutation):
    pass


# Connection fields return a default page when `first` is left out; the cost limiter counts it.
register_connection_fields({"states", "clfs", "vos", "shgs", "members", "children"})


def build_schema(settings: Settings) -> Schema:
    return Schema(
        query=Query,
        mutation=Mutation,
        types=[GeoUnit, Clf, VillageOrganisation, Shg, Member],
        extensions=extensions(settings),
        config=StrawberryConfig(disable_field_suggestions=True),
    )


def sdl(settings: Settings | None = None) -> str:
    """The exported schema text (``schema.graphql``)."""
    return build_schema(settings or Settings()).as_str() + "\n"
