"""Typed user errors in mutation payloads, and which exceptions clients may see.

Bad input is not an exception to the client: a mutation answers with a
payload whose ``errors`` list holds ``UserError``s with a stable ``code``, the
``field`` at fault and a message. Anything unexpected is masked.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from core.errors import DomainError, ErrorCode, refusals_of

# Stable `extensions.code`s of top-level errors (README, "Errors"). Add new ones; never rename.
UNAUTHENTICATED = "UNAUTHENTICATED"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
FORBIDDEN = "FORBIDDEN"
BUSY = "BUSY"
INTERNAL = "INTERNAL_SERVER_ERROR"
BAD_REQUEST = "BAD_REQUEST"

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


def user_errors(error: DomainError) -> list[UserError]:
    """A payload's errors: one per refusal, every field at fault of the input at once."""
    return [user_error(refusal) for refusal in refusals_of(error)]


def query_error(error: DomainError) -> GraphQLError:
    """A query's refused argument: the same stable code and field a mutation's payload carries."""
    return GraphQLError(error.message, extensions={"code": error.code.name, "field": error.field})


def argument_error(argument: str, message: str) -> GraphQLError:
    """A query argument refused for its value (a page size, a cursor): BAD_USER_INPUT, naming it."""
    return GraphQLError(message, extensions={"code": BAD_USER_INPUT, "field": argument})


def is_public(error: GraphQLError) -> bool:
    """Errors raised on purpose (a GraphQLError with an ``extensions.code``) and the
    document's own errors (syntax, validation, variables: rebuilt by api.redaction)
    reach the client; anything else is masked so no internals or data leak through a
    message — graphql-core's execution-time refusals included, which quote values."""
    original = error.original_error
    if original is None:
        return True
    return isinstance(original, GraphQLError) and "code" in (original.extensions or {})
