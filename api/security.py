"""Hardening: the limits every operation passes before it runs.

Depth, alias and token limits come from strawberry; the query-cost budget is
ours. Cost is the number of objects a query could ask for: each field costs
the product of the page sizes (``first``) of the connections around it, so
``vos(first: 50) { shgs(first: 50) }`` costs 50 + 50×50. Fragments are
followed, so spreading one cannot hide its cost.

Extensions are handed to the schema as classes or factories, never shared
instances, so no state crosses requests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.validation import validate
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from api.errors import is_public
from core.settings import Settings


def query_cost(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    default_page: int,
    multiplier: int = 1,
    seen: frozenset[str] = frozenset(),
) -> int:
    """Objects a selection may return, following fragments (cycles are cut)."""
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            size = _page_size(selection, variables, default_page)
            inner = multiplier * size if size is not None else multiplier
            if size is not None:
                total += inner
            total += query_cost(
                selection.selection_set, fragments, variables, default_page, inner, seen
            )
        elif isinstance(selection, InlineFragmentNode):
            total += query_cost(
                selection.selection_set, fragments, variables, default_page, multiplier, seen
            )
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen or name not in fragments:
                continue
            total += query_cost(
                fragments[name].selection_set,
                fragments,
                variables,
                default_page,
                multiplier,
                seen | {name},
            )
    return total


def _page_size(field: FieldNode, variables: dict[str, Any], default_page: int) -> int | None:
    """The field's ``first`` when it is a connection, else ``None``."""
    for argument in field.arguments or ():
        if argument.name.value != "first":
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            return int(given) if isinstance(given, int) else default_page
        return default_page
    if field.name.value in _CONNECTION_FIELDS:
        return default_page
    return None


# Connection fields whose `first` was left out still return a default page.
_CONNECTION_FIELDS: set[str] = set()


def register_connection_fields(names: set[str]) -> None:
    _CONNECTION_FIELDS.update(names)


class QueryCostLimiter(SchemaExtension):
    """Refuse operations whose cost exceeds the budget, before any resolver runs."""

    def __init__(self, *, budget: int, default_page: int) -> None:
        self.budget = budget
        self.default_page = default_page

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            errors = list(validate(context.schema._schema, document, context.validation_rules))
            if not errors:
                errors = self._cost_errors()
            context.pre_execution_errors = errors
        yield

    def _cost_errors(self) -> list[GraphQLError]:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        variables = context.variables or {}
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            if context.operation_name and (
                definition.name is None or definition.name.value != context.operation_name
            ):
                continue
            cost = query_cost(definition.selection_set, fragments, variables, self.default_page)
            if cost > self.budget:
                return [
                    GraphQLError(
                        f"Query cost {cost} exceeds the budget of {self.budget}; "
                        "ask for smaller pages or fewer nested connections",
                        extensions={"code": "QUERY_TOO_COSTLY", "cost": cost},
                    )
                ]
        return []


def extensions(settings: Settings) -> list[Any]:
    """The schema's extensions for these settings, as classes or factories."""
    chosen: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        partial(QueryDepthLimiter, max_depth=settings.max_query_depth),
        partial(MaxAliasesLimiter, max_alias_count=settings.max_aliases),
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        partial(
            QueryCostLimiter,
            budget=settings.max_query_cost,
            default_page=settings.default_page_size,
        ),
        partial(MaskErrors, should_mask_error=lambda error: not is_public(error)),
    ]
    if settings.is_production:
        chosen.append(DisableIntrospection)
    return chosen
