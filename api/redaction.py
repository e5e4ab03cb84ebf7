"""Error messages built from names and positions, never from the values a client sent.

graphql-core explains bad input by quoting it: ``String cannot represent a
non string value: 234567890124``, ``Did you mean 'mobile'? Found: {...
'aadhaar': '...'}``, ``Syntax Error: Unexpected Int '234567890124'``. A
request may carry an Aadhaar or bank number, so none of that text is passed
on. Instead each kind of error is rebuilt here from what the schema and the
document structure say:

- a variable that does not fit its type: the variable, the path of schema
  field names and list positions to the bad part, and what the schema expects
  there (:func:`value_problems`, every problem at once);
- an inline value that does not fit (the ``ValuesOfCorrectTypeRule``, swapped
  for :class:`ValuesFitTheirTypesRule`): the argument, the path, the expectation;
- a syntax error: line and column, and the kind of token found (``Int``,
  ``String``), never its text.

:func:`rebuild_input_errors` does it where strawberry logs errors (the
schema's ``process_errors``) and again as the operation ends, so neither a log
line nor a response holds graphql-core's text.

Names a client chose are repeated only when they are plainly names
(:func:`client_name`): a key of a JSON object may be anything, a number
included. Our own scalars raise :class:`DomainError`, whose messages never echo
(core.errors); other scalars' messages are not repeated. Every error then leaves
with a stable ``extensions.code`` (README, "Errors"), and its message passes
:func:`core.redaction.scrub_numbers` as a last defence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    EnumValueNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLScalarType,
    GraphQLSyntaxError,
    ListValueNode,
    Node,
    NullValueNode,
    ObjectValueNode,
    Source,
    TokenKind,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    get_named_type,
    is_enum_type,
    is_input_object_type,
    is_input_type,
    is_list_type,
    is_non_null_type,
    is_required_input_field,
)
from graphql.language import Lexer
from graphql.language.parser import get_token_kind_desc
from graphql.pyutils import Undefined
from graphql.utilities import type_from_ast
from graphql.validation import ValidationRule, ValuesOfCorrectTypeRule
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types import ExecutionContext

from api.errors import BAD_REQUEST, BAD_USER_INPUT, INTERNAL, PARSE_FAILED, VALIDATION_FAILED
from core.errors import DomainError
from core.redaction import scrub_numbers

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_FOUR_DIGITS = re.compile(r"[0-9]{4}")


def client_name(name: object) -> str | None:
    """A name the client chose, if it is fit to repeat: a GraphQL name (ASCII letters,
    digits, underscores) of at most 64 characters with no run of four digits."""
    if isinstance(name, str) and _NAME.fullmatch(name) and not _FOUR_DIGITS.search(name):
        return name
    return None


Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """What is wrong at one place of an input: ``path`` holds schema field names and list
    positions only; ``node`` is the literal at fault, for inline values."""

    path: Path
    text: str
    node: Node | None = None

    def where(self) -> str:
        printed = "".join(
            f"[{step}]" if isinstance(step, int) else f".{step}" for step in self.path
        )
        return f" at {printed.lstrip('.')}" if printed else ""


def _expected(type_: GraphQLInputType) -> str:
    named = get_named_type(type_)
    if isinstance(named, GraphQLEnumType):
        return f"expected a value of the enum {named.name}"
    if isinstance(named, GraphQLInputObjectType):
        return f"expected an object of type {named.name}"
    return f"expected {named.name}"


def _own_message(error: BaseException) -> str | None:
    """The message of a DomainError behind a scalar's refusal, which is safe to repeat."""
    seen: BaseException | None = error
    for _ in range(4):
        if seen is None:
            return None
        if isinstance(seen, DomainError):
            return seen.message
        seen = getattr(seen, "original_error", None) or seen.__cause__ or seen.__context__
    return None


def _leaf_problem(
    coerce: Any, type_: GraphQLInputType, path: Path, node: Node | None
) -> Iterator[Problem]:
    try:
        result = coerce()
    except Exception as error:  # a scalar may refuse with anything: it is a problem to report
        own = _own_message(error)
        text = _expected(type_) + (f": {own}" if own else "")
        yield Problem(path, text, node)
        return
    if result is Undefined:
        yield Problem(path, _expected(type_), node)


def _unknown_field(type_: GraphQLInputObjectType, key: object) -> str:
    shown = client_name(key)
    if shown is None:
        return f"a field {type_.name} does not define was given (an unknown field)"
    return f"'{shown}' is not a field of {type_.name} (an unknown field)"


def _one_of(type_: GraphQLInputObjectType) -> str:
    return f"{type_.name} takes exactly one field, and it must not be null"


def value_problems(value: Any, type_: GraphQLInputType, path: Path = ()) -> Iterator[Problem]:
    """Everything wrong with a JSON value for ``type_``: graphql-core's rules, not its words."""
    if is_non_null_type(type_):
        inner = type_.of_type
        if value is Undefined:
            yield Problem(path, f"a value of type {type_} is required")
        elif value is None:
            yield Problem(path, f"must not be null ({type_})")
        else:
            yield from value_problems(value, inner, path)
        return
    if value is None or value is Undefined:
        return
    if is_list_type(type_):
        item_type = type_.of_type
        if isinstance(value, list | tuple):
            for index, item in enumerate(value):
                yield from value_problems(item, item_type, (*path, index))
        else:  # a single value stands for a list of one
            yield from value_problems(value, item_type, path)
        return
    if is_input_object_type(type_):
        assert isinstance(type_, GraphQLInputObjectType)
        if not isinstance(value, dict):
            yield Problem(path, _expected(type_))
            return
        for name, field in type_.fields.items():
            if name in value:
                yield from value_problems(value[name], field.type, (*path, name))
            elif is_required_input_field(field):
                yield Problem(path, f"the required field '{name}' ({field.type}) is missing")
        for key in value:
            if key not in type_.fields:
                yield Problem(path, _unknown_field(type_, key))
        given = [name for name in type_.fields if value.get(name, Undefined) is not Undefined]
        if type_.is_one_of and (len(given) != 1 or value[given[0]] is None):
            yield Problem(path, _one_of(type_))
        return
    if is_enum_type(type_):
        assert isinstance(type_, GraphQLEnumType)
        yield from _leaf_problem(lambda: type_.coerce_input_value(value, True), type_, path, None)
        return
    assert isinstance(type_, GraphQLScalarType)
    yield from _leaf_problem(lambda: type_.coerce_input_value(value), type_, path, None)


def literal_problems(
    node: ValueNode, type_: GraphQLInputType, path: Path = ()
) -> Iterator[Problem]:
    """Everything wrong with an inline value for ``type_``; variables inside it are checked
    with the variables, not here."""
    if isinstance(node, VariableNode):
        return
    if is_non_null_type(type_):
        if isinstance(node, NullValueNode):
            yield Problem(path, f"must not be null ({type_})", node)
        else:
            yield from literal_problems(node, type_.of_type, path)
        return
    if isinstance(node, NullValueNode):
        return
    if is_list_type(type_):
        item_type = type_.of_type
        if isinstance(node, ListValueNode):
            for index, item in enumerate(node.values):
                yield from literal_problems(item, item_type, (*path, index))
        else:
            yield from literal_problems(node, item_type, path)
        return
    if is_input_object_type(type_):
        assert isinstance(type_, GraphQLInputObjectType)
        if not isinstance(node, ObjectValueNode):
            yield Problem(path, _expected(type_), node)
            return
        given = {field.name.value: field for field in node.fields}
        for name, field in type_.fields.items():
            if name in given:
                yield from literal_problems(given[name].value, field.type, (*path, name))
            elif is_required_input_field(field):
                yield Problem(path, f"the required field '{name}' ({field.type}) is missing", node)
        for field_node in node.fields:
            if field_node.name.value not in type_.fields:
                yield Problem(path, _unknown_field(type_, field_node.name.value), field_node)
        known = [f for f in node.fields if f.name.value in type_.fields]
        if type_.is_one_of and (len(known) != 1 or isinstance(known[0].value, NullValueNode)):
            yield Problem(path, _one_of(type_), node)
        return
    if is_enum_type(type_):
        assert isinstance(type_, GraphQLEnumType)
        if not isinstance(node, EnumValueNode):
            yield Problem(path, _expected(type_), node)
            return
        yield from _leaf_problem(lambda: type_.coerce_input_literal(node, True), type_, path, node)
        return
    assert isinstance(type_, GraphQLScalarType)
    scalar = type_
    if scalar.coerce_input_literal is not None:
        coerce_literal = scalar.coerce_input_literal
        yield from _leaf_problem(lambda: coerce_literal(node), type_, path, node)  # type: ignore[arg-type]
    else:
        yield from _leaf_problem(lambda: scalar.parse_literal(node, None), type_, path, node)


class ValuesFitTheirTypesRule(ValidationRule):
    """graphql-core's ValuesOfCorrectTypeRule, reporting problems without the values."""

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> Any:
        argument = self.context.get_argument()
        if argument is None:  # an unknown argument: KnownArgumentNamesRule reports it
            return False
        for problem in literal_problems(node.value, argument.type):
            self.report_error(
                GraphQLError(
                    f"Argument '{node.name.value}' has an invalid value{problem.where()}: "
                    f"{problem.text}.",
                    problem.node or node.value,
                )
            )
        return False  # its values are checked; nothing below needs visiting

    def enter_variable_definition(self, node: VariableDefinitionNode, *_args: Any) -> Any:
        type_ = type_from_ast(self.context.schema, node.type)
        if node.default_value is None or type_ is None or not is_input_type(type_):
            return False
        for problem in literal_problems(node.default_value, type_):
            self.report_error(
                GraphQLError(
                    f"{_variable(node)} has an invalid default value{problem.where()}: "
                    f"{problem.text}.",
                    problem.node or node.default_value,
                )
            )
        return False


def _variable(node: VariableDefinitionNode) -> str:
    name = client_name(node.variable.name.value)
    return f"Variable '${name}'" if name else "A variable"


def variable_errors(
    schema: Any, definition: VariableDefinitionNode, value: Any
) -> list[GraphQLError]:
    """Every problem of one variable's value, as errors naming the variable and the path."""
    type_ = type_from_ast(schema, definition.type)
    problems: list[Problem] = []
    if type_ is not None and is_input_type(type_):
        problems = list(value_problems(value, type_))
    if value is Undefined and type_ is not None and is_non_null_type(type_):
        problems = [Problem((), f"it is of the required type {type_} and was not provided")]
    if not problems:  # graphql-core refused it for a reason not modelled here
        problems = [Problem((), "it does not fit its type")]
    extensions = {"code": BAD_USER_INPUT}
    return [
        GraphQLError(
            f"{_variable(definition)} has an invalid value{p.where()}: {p.text}.",
            definition,
            extensions=extensions,
        )
        for p in problems
    ]


def syntax_message(error: GraphQLSyntaxError, body: str, max_tokens: int | None) -> str:
    """What a syntax error says instead: where, and the kind of token there, never its text."""
    if max_tokens is not None and error.message == (
        f"Syntax Error: Document contains more than {max_tokens} tokens. Parsing aborted."
    ):
        return error.message
    where = ""
    if error.locations:
        line, column = error.locations[0].line, error.locations[0].column
        where = f" at line {line}, column {column}"
    expected = next(
        (
            f"expected {get_token_kind_desc(kind)}, "
            for kind in TokenKind
            if error.message.startswith(f"Syntax Error: Expected {get_token_kind_desc(kind)},")
        ),
        "",
    )
    found = _token_found(body, next(iter(error.positions), None) if error.positions else None)
    if found is None:
        return (
            f"Syntax Error{where}: a malformed token "
            "(a bad number, an unterminated string or a character GraphQL does not use)."
        )
    return f"Syntax Error{where}: {expected}{'found' if expected else 'unexpected'} {found}."


def _token_found(body: str, position: int | None) -> str | None:
    """The kind of the token at ``position`` (by lexing the document again), or None when
    no token can be read there."""
    if position is None:
        return "input"
    lexer = Lexer(Source(body))
    try:
        token = lexer.token
        while token.kind is not TokenKind.EOF and token.start < position:
            token = lexer.advance()
    except GraphQLSyntaxError:
        return None
    if token.kind is TokenKind.EOF:
        return "the end of the document"
    return get_token_kind_desc(token.kind)


def with_code(error: GraphQLError, code: str) -> None:
    if not error.extensions or "code" not in error.extensions:
        error.extensions = {**(error.extensions or {}), "code": code}


def _is_coercion_error(error: GraphQLError) -> bool:
    """graphql-core's refusal of a variable's value: it points at the variable's definition
    and carries the inner error. Validation errors pointing there (an unused variable, a
    repeated name) carry none and speak only in names; rebuilt errors carry none either."""
    node = error.nodes[0] if error.nodes else None
    return isinstance(node, VariableDefinitionNode) and error.original_error is not None


def rebuild_input_errors(
    errors: list[GraphQLError], context: ExecutionContext, max_tokens: int | None
) -> None:
    """Rebuild, in place, the errors that would quote the request; give the document's own
    errors their codes. Idempotent: strawberry hands the same errors on more than once.

    In place, because the list and its errors are already the pending result's.
    """
    rebuilt: list[GraphQLError] = []
    seen: set[int] = set()
    for error in errors:
        if isinstance(error, GraphQLSyntaxError):
            if "code" not in (error.extensions or {}):
                error.message = syntax_message(error, context.query or "", max_tokens)
                error.args = (error.message,)
                with_code(error, PARSE_FAILED)
        elif _is_coercion_error(error):
            node = error.nodes[0] if error.nodes else None
            assert isinstance(node, VariableDefinitionNode)
            if id(node) not in seen:  # graphql-core reports a variable once per problem
                seen.add(id(node))
                value = (context.variables or {}).get(node.variable.name.value, Undefined)
                rebuilt.extend(variable_errors(context.schema._schema, node, value))
            continue
        elif error.path is None:  # refused before any field ran: the document's own error
            with_code(error, VALIDATION_FAILED)
        rebuilt.append(error)
    errors[:] = rebuilt


class SafeErrorMessages(SchemaExtension):
    """Checks inline values with :class:`ValuesFitTheirTypesRule`, and sees that every error
    leaves rebuilt (:func:`rebuild_input_errors`; the schema's ``process_errors`` does it
    first, before it logs), with a code and with long numbers blanked."""

    def __init__(self, *, max_tokens: int | None = None) -> None:
        self.max_tokens = max_tokens

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = tuple(
            ValuesFitTheirTypesRule if rule is ValuesOfCorrectTypeRule else rule
            for rule in context.validation_rules
        )
        yield
        errors = getattr(context.result, "errors", None)
        if not errors:
            return
        rebuild_input_errors(errors, context, self.max_tokens)
        for error in errors:
            with_code(error, BAD_REQUEST)
            error.message = scrub_numbers(error.message)


class MaskUnexpectedErrors(MaskErrors):
    """Strawberry's masking, with the masked error's stable code."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": INTERNAL}
        return masked
