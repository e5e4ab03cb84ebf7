"""Hardening: the limits every operation passes before it runs.

Depth, alias and token limits come from strawberry; the query-cost budget is
ours. Cost is the number of objects a query could ask for: each list field
costs its length (a connection's ``first``, any other list the longest it can
be) times the lengths of the lists around it, so
``vos(first: 50) { shgs(first: 50) }`` costs 50 + 50×50. Fragments are
followed, so spreading one cannot hide its cost. Before any of that, an
operation's list inputs and its repeated fields are counted, which is cheap,
since validating them is not.

Extensions are handed to the schema as classes or factories, never shared
instances, so no state crosses requests.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    Visitor,
    get_named_type,
    get_nullable_type,
    is_list_type,
    parse,
    value_from_ast_untyped,
    visit,
)
from graphql.execution.values import get_variable_values
from graphql.validation import KnownFragmentNamesRule, NoFragmentCyclesRule, validate
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
    """An operation refused before it runs: too costly, a page size out of range, or an
    input no rule could accept (too many items, an overlong integer, unstorable text)."""

    def __init__(self, message: str, *, extensions: dict[str, Any] | None = None) -> None:
        super().__init__(message, extensions=extensions or {"code": BAD_USER_INPUT})


@dataclass
class CostModel:
    """Counts the objects an operation may return.

    Every list field costs its length: a connection its ``first`` (or the
    default page), ``_entities`` its representations, any other list the
    longest it can be (``list_bounds``, by ``Type.field`` or by field name).
    ``edges`` of a connection are the page already counted. ``variables`` are
    the operation's coerced values (defaults applied), so a variable costs
    exactly what it will fetch. A fragment is costed once, however often it
    is spread.
    """

    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: dict[str, Any]
    default_page: int
    max_page: int
    max_entities: int
    list_bounds: Mapping[str, int]
    _fragment_costs: dict[str, int] = field(default_factory=dict)

    def cost(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType) -> int:
        """Objects one instance of ``parent`` may return through this selection."""
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                fields = getattr(parent, "fields", None)
                definition = fields.get(selection.name.value) if fields else None
                if definition is None:
                    continue  # __typename and introspection
                factor = self._factor(selection, parent, definition)
                inner = self.cost(selection.selection_set, get_named_type(definition.type))
                total += inner if factor is None else factor * (1 + inner)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                narrowed = self.schema.get_type(condition.name.value) if condition else parent
                total += self.cost(selection.selection_set, narrowed or parent)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment_cost(selection.name.value)
        return total

    def _fragment_cost(self, name: str) -> int:
        known = self._fragment_costs.get(name)
        if known is not None:
            return known
        fragment = self.fragments.get(name)
        if fragment is None:
            return 0
        self._fragment_costs[name] = 0  # a cycle (refused by validation anyway) costs nothing more
        condition = self.schema.get_type(fragment.type_condition.name.value)
        cost = 0 if condition is None else self.cost(fragment.selection_set, condition)
        self._fragment_costs[name] = cost
        return cost

    def _argument(self, field: FieldNode, name: str) -> tuple[bool, Any]:
        for argument in field.arguments or ():
            if argument.name.value == name:
                return True, value_from_ast_untyped(argument.value, self.variables)
        return False, None

    def _factor(
        self, field: FieldNode, parent: GraphQLNamedType, definition: GraphQLField
    ) -> int | None:
        """How many objects each instance of this field returns, when it returns a list."""
        name = field.name.value
        if name == "_entities":
            _, representations = self._argument(field, "representations")
            count = len(representations) if isinstance(representations, list) else 1
            if count > self.max_entities:
                raise CostError(f"_entities takes at most {self.max_entities} representations")
            return count
        if "first" in definition.args:
            given, first = self._argument(field, "first")
            if not given:
                declared = definition.args["first"].default_value
                return declared if isinstance(declared, int) else self.default_page
            if first is None:
                return self.default_page
            if not isinstance(first, int) or not 0 <= first <= self.max_page:
                raise CostError(f"'first' must be between 0 and {self.max_page}")
            return first
        if not is_list_type(get_nullable_type(definition.type)):
            return None
        if name == "edges" and parent.name.endswith("Connection"):
            return None  # the page, counted at the connection
        bound = self.list_bounds.get(f"{parent.name}.{name}", self.list_bounds.get(name))
        return self.max_page if bound is None else bound


def query_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    default_page: int,
    max_page: int = 100,
    list_bounds: Mapping[str, int] | None = None,
) -> int:
    """The cost of an operation (see :class:`CostModel`)."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    model = CostModel(
        schema, fragments, variables, default_page, max_page, max_page, list_bounds or {}
    )
    return model.cost(operation.selection_set, root)


def repeated_field(document: DocumentNode, limit: int) -> str | None:
    """A response name selected more than ``limit`` times in one selection set, if any.

    graphql-core's OverlappingFieldsCanBeMergedRule compares every pair of
    fields that share a response name, so ``me { subject }`` written 450 times
    cost it a second of CPU before it gave up; counting them is linear.
    Fragments are followed (each counted once per selection set).
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    counted: dict[int, Counter[str]] = {}

    def names(selection_set: SelectionSetNode, spread: frozenset[str]) -> Counter[str]:
        known = counted.get(id(selection_set))
        if known is not None:
            return known
        counts: Counter[str] = Counter()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                counts[(selection.alias or selection.name).value] += 1
            elif isinstance(selection, InlineFragmentNode):
                counts.update(names(selection.selection_set, spread))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in spread and name in fragments:
                    spread = spread | {name}
                    counts.update(names(fragments[name].selection_set, spread))
        counted[id(selection_set)] = counts
        return counts

    pending = [d.selection_set for d in document.definitions if hasattr(d, "selection_set")]
    while pending:
        selection_set = pending.pop()
        most = names(selection_set, frozenset()).most_common(1)
        if most and most[0][1] > limit:
            return most[0][0]
        for selection in selection_set.selections:
            inner = getattr(selection, "selection_set", None)  # a spread has none
            if inner is not None:
                pending.append(inner)
    return None


def input_items(document: DocumentNode, variables: Any) -> int:
    """List items an operation hands over, in its variables and inline literals together."""
    items = 0
    pending: list[Any] = [variables]
    while pending:
        value = pending.pop()
        if isinstance(value, list):
            items += len(value)
            pending.extend(value)
        elif isinstance(value, dict):
            pending.extend(value.values())

    class ListLiterals(Visitor):
        def enter_list_value(self, node: ListValueNode, *_args: Any) -> None:
            nonlocal items
            items += len(node.values)

    visit(document, ListLiterals())
    return items


# Rules whose breach crashes other rules: strawberry's depth limiter looks each spread's
# fragment up by name and follows it, so an unknown fragment (a KeyError, once masked as
# an internal error) or a cycle of fragments is refused before the other rules run.
_FIRST_RULES = (KnownFragmentNamesRule, NoFragmentCyclesRule)


def widest_object(variables: Any) -> int:
    """Keys of the widest object among the variables' values, however deep (the variables
    themselves are not one: graphql-core reads only those the operation declares)."""
    widest = 0
    pending: list[Any] = list(variables.values()) if isinstance(variables, dict) else []
    while pending:
        value = pending.pop()
        if isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, dict):
            widest = max(widest, len(value))
            pending.extend(value.values())
    return widest


@lru_cache(maxsize=4)
def widest_input_type(schema: GraphQLSchema) -> int:
    """Fields of the schema's widest input object type: no valid variable holds more keys."""
    return max(
        (len(t.fields) for t in schema.type_map.values() if isinstance(t, GraphQLInputObjectType)),
        default=0,
    )


def unstorable_text(document: DocumentNode, variables: Any) -> bool:
    """Whether any text the operation hands over could not be stored: a NUL character
    (PostgreSQL's text refuses it) or a lone surrogate (which has no UTF-8), in a
    variable, a key of one, or an inline string."""
    texts: list[str] = []
    pending: list[Any] = [variables]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, dict):
            texts.extend(key for key in value if isinstance(key, str))
            pending.extend(value.values())

    class StringLiterals(Visitor):
        def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
            texts.append(node.value)

    visit(document, StringLiterals())
    return any(not _storable(text) for text in texts)


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Past 4,300 digits Python's int() raises, which surfaced as an internal error. No number
# any input takes comes near 100 characters; a merely too-long one (a 12-digit Aadhaar
# sent as a number) goes on to validation, whose error names the argument it was sent in.
_LONGEST_INT_LITERAL = 100


def overlong_int(document: DocumentNode) -> bool:
    """Whether an integer literal is far longer than any GraphQL Int or Float."""
    found = False

    class IntLiterals(Visitor):
        def enter_int_value(self, node: IntValueNode, *_args: Any) -> None:
            nonlocal found
            found = found or len(node.value) > _LONGEST_INT_LITERAL

    visit(document, IntLiterals())
    return found


class QueryCostLimiter(SchemaExtension):
    """Refuse operations that would cost too much, before any resolver runs.

    Cheap checks first: the list items the operation hands over and fields
    repeated in one selection set, then graphql-core's validation, then the
    cost. Parsing and validation run on a worker thread, so a large document
    is checked without holding the event loop: the GIL passes between threads
    every few milliseconds, and other requests (``/healthz``) are answered
    meanwhile.
    """

    def __init__(
        self,
        *,
        budget: int,
        default_page: int,
        max_page: int,
        max_input_items: int,
        max_field_repeats: int,
        list_bounds: Mapping[str, int],
    ) -> None:
        self.budget = budget
        self.default_page = default_page
        self.max_page = max_page
        self.max_input_items = max_input_items
        self.max_field_repeats = max_field_repeats
        self.list_bounds = list_bounds

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            # On a syntax error strawberry parses it again and reports it as it always does.
            with contextlib.suppress(GraphQLError):
                context.graphql_document = await asyncio.to_thread(
                    parse, context.query, **context.parse_options
                )
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.pre_execution_errors is None:
            context.pre_execution_errors = await asyncio.to_thread(self._errors)
        yield

    def _errors(self) -> list[GraphQLError]:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None
        if input_items(document, context.variables) > self.max_input_items:
            return [
                CostError(
                    f"An operation hands over at most {self.max_input_items} list items "
                    "in all its inputs; send them in several operations",
                    extensions={"code": "TOO_MANY_INPUT_ITEMS"},
                )
            ]
        if overlong_int(document):
            return [CostError("An integer in the operation is larger than any GraphQL Int")]
        if widest_object(context.variables) > widest_input_type(context.schema._schema):
            # graphql-core explains each unknown key against the whole object: quadratic.
            return [CostError("An input object has more fields than any input type defines")]
        first = validate(context.schema._schema, document, _FIRST_RULES)
        if first:
            return list(first)
        if unstorable_text(document, context.variables):
            return [
                CostError(
                    "Text in an operation may not hold a NUL character (U+0000) "
                    "or a lone UTF-16 surrogate"
                )
            ]
        repeated = repeated_field(document, self.max_field_repeats)
        if repeated is not None:
            return [
                CostError(
                    f"'{repeated}' is selected more than {self.max_field_repeats} times "
                    "in one selection set",
                    extensions={"code": "QUERY_TOO_COSTLY"},
                )
            ]
        errors = list(
            validate(
                context.schema._schema,
                document,
                context.validation_rules,
                hide_suggestions=True,
            )
        )
        return errors or self._cost_errors()

    def _cost_errors(self) -> list[GraphQLError]:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None
        schema = context.schema._schema
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
                schema,
                definition.variable_definitions or (),
                context.variables or {},
                hide_suggestions=True,
            )
            if isinstance(coerced, list):
                return coerced  # the variables themselves are invalid
            # graphql-core 3.3 wraps the values (with their sources); 3.2 returns the dict.
            raw: Any = coerced
            values: dict[str, Any] = raw.coerced if hasattr(raw, "coerced") else raw
            try:
                cost = query_cost(
                    schema,
                    definition,
                    fragments,
                    values,
                    self.default_page,
                    self.max_page,
                    self.list_bounds,
                )
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


def extensions(settings: Settings, list_bounds: Mapping[str, int]) -> list[Any]:
    """The schema's extensions for these settings, as classes or factories.

    ``list_bounds`` are the longest each list field can be (see :class:`CostModel`).
    """
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
            max_input_items=settings.max_input_items,
            max_field_repeats=settings.max_field_repeats,
            list_bounds=list_bounds,
        ),
        partial(MaskUnexpectedErrors, should_mask_error=lambda error: not is_public(error)),
    ]
    if settings.is_production:
        chosen.append(DisableIntrospection)
    return chosen
