"""Typed user errors in mutation payloads, and which exceptions clients may see.

Bad input is not an exception to the client: a mutation answers with a
payload whose ``errors`` list holds ``UserError``s with a stable ``code``, the
``field`` at fault and a message. Anything unexpected is masked.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from core.errors import DomainError, ErrorCode

# The domain's codes, exposed as the GraphQL enum `UserErrorCode`.
strawberry.enum(
    ErrorCode,
    name="UserErrorCode",
    description="Stable codes for refused input; new codes may be added, none renamed.",
)


@strawberry.type(description="Why a mutation refused its input; nothing was written.")
class UserError:
    code: ErrorCode
    field: str | None = strawberry.field(description="The input field at fault, in camelCase.")
    message: str


def user_error(error: DomainError) -> UserError:
    return UserError(code=error.code, field=error.field, message=error.message)


def query_error(error: DomainError) -> GraphQLError:
    """A query's refused argument: the same stable code and field a mutation's payload carries."""
    return GraphQLError(error.message, extensions={"code": error.code.name, "field": error.field})


def is_public(error: GraphQLError) -> bool:
    """Errors raised on purpose (GraphQLError) and validation errors reach the client as they are;
    anything else is masked so no internals or data leak through a message."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)
