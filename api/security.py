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
from dataclasses import dataclass
from functools import partial
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    value_from_ast_untyped,
)
from graphql.execution.values import get_variable_values
from graphql.validation import validate
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from api.errors import BAD_USER_INPUT, is_public
from api.redaction import MaskUnexpectedErrors, SafeErrorMessages
from core.settings import Settings


class CostError(GraphQLError):
    """An operation refused before it runs: too costly, or a page size out of range."""

    def __init__(self, message: str, *, extensions: dict[str, Any] | None = None) -> None:
        super().__init__(message, extensions=extensions or {"code": BAD_USER_INPUT})


@dataclass(frozen=True)
class CostModel:
    """Counts the objects an operation may return.

    ``variables`` are the operation's coerced values (defaults applied), so a
    variable costs exactly what it will fetch.
    """

    fragments: dict[str, FragmentDefinitionNode]
    variables: dict[str, Any]
    default_page: int
    max_page: int
    max_entities: int

    def cost(
        self,
        selection_set: SelectionSetNode | None,
        multiplier: int = 1,
        seen: frozenset[str] = frozenset(),
    ) -> int:
        """Objects a selection may return, following fragments (cycles are cut)."""
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                factor = self._factor(selection)
                inner = multiplier * factor if factor is not None else multiplier
                if factor is not None:
                    total += inner
                total += self.cost(selection.selection_set, inner, seen)
            elif isinstance(selection, InlineFragmentNode):
                total += self.cost(selection.selection_set, multiplier, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in seen and name in self.fragments:
                    total += self.cost(
                        self.fragments[name].selection_set, multiplier, seen | {name}
                    )
        return total

    def _argument(self, field: FieldNode, name: str) -> tuple[bool, Any]:
        for argument in field.arguments or ():
            if argument.name.value == name:
                return True, value_from_ast_untyped(argument.value, self.variables)
        return False, None

    def _factor(self, field: FieldNode) -> int | None:
        """How many objects each instance of this field returns, when it returns a list."""
        if field.name.value == "_entities":
            _, representations = self._argument(field, "representations")
            count = len(representations) if isinstance(representations, list) else 1
            if count > self.max_entities:
                raise CostError(f"_entities takes at most {self.max_entities} representations")
            return count
        given, first = self._argument(field, "first")
        if not given:
            return self.default_page if field.name.value in _CONNECTION_FIELDS else None
        if first is None:
            return self.default_page
        if not isinstance(first, int) or not 0 <= first <= self.max_page:
            raise CostError(f"'first' must be between 0 and {self.max_page}")
        return first


def query_cost(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    default_page: int,
    max_page: int = 100,
) -> int:
    """The cost of a selection (see :class:`CostModel`)."""
    model = CostModel(fragments, variables, default_page, max_page, max_entities=max_page)
    return model.cost(selection_set)


# Connection fields whose `first` was left out still return a default page.
_CONNECTION_FIELDS: set[str] = set()


def register_connection_fields(names: set[str]) -> None:
    _CONNECTION_FIELDS.update(names)


class QueryCostLimiter(SchemaExtension):
    """Refuse operations whose cost exceeds the budget, before any resolver runs."""

    def __init__(self, *, budget: int, default_page: int, max_page: int) -> None:
        self.budget = budget
        self.default_page = default_page
        self.max_page = max_page

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            errors = list(
                validate(
                    context.schema._schema,
                    document,
                    context.validation_rules,
                    hide_suggestions=True,
                )
            )
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
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            if context.operation_name and (
                definition.name is None or definition.name.value != context.operation_name
            ):
                continue
            coerced = get_variable_values(
                context.schema._schema,
                definition.variable_definitions or (),
                context.variables or {},
                hide_suggestions=True,
            )
            if isinstance(coerced, list):
                return coerced  # the variables themselves are invalid
            # graphql-core 3.3 wraps the values (with their sources); 3.2 returns the dict.
            raw: Any = coerced
            values: dict[str, Any] = raw.coerced if hasattr(raw, "coerced") else raw
            model = CostModel(
                fragments, values, self.default_page, self.max_page, max_entities=self.max_page
            )
            try:
                cost = model.cost(definition.selection_set)
            except CostError as error:
                return [error]
            if cost > self.budget:
                return [
                    CostError(
                        f"Query cost {cost} exceeds the budget of {self.budget}; "
                        "ask for smaller pages or fewer nested connections",
                        extensions={"code": "QUERY_TOO_COSTLY", "cost": cost},
                    )
                ]
        return []


def extensions(settings: Settings) -> list[Any]:
    """The schema's extensions for these settings, as classes or factories."""
    chosen: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        # First, so that it finishes last: it sees every error the others leave.
        partial(SafeErrorMessages, max_tokens=settings.max_tokens),
        partial(QueryDepthLimiter, max_depth=settings.max_query_depth),
        partial(MaxAliasesLimiter, max_alias_count=settings.max_aliases),
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        partial(
            QueryCostLimiter,
            budget=settings.max_query_cost,
            default_page=settings.default_page_size,
            max_page=settings.max_page_size,
        ),
        partial(MaskUnexpectedErrors, should_mask_error=lambda error: not is_public(error)),
    ]
    if settings.is_production:
        chosen.append(DisableIntrospection)
    return chosen
