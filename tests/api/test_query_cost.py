"""The query-cost limiter charges every list field, and refuses cheaply before validating."""

from __future__ import annotations

import time
from typing import Any

import pytest
from graphql import (
    FragmentDefinitionNode,
    OperationDefinitionNode,
    get_nullable_type,
    is_interface_type,
    is_list_type,
    is_object_type,
    parse,
)

from api.schema import build_schema, list_bounds
from api.security import query_cost
from core.settings import Settings
from ledger.vouchers import MAX_VOUCHER_LINES
from tests.conftest import Api


async def _errors(
    api: Api, query: str, variables: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    response = await api.post(query, variables, token=api.token())
    body = response.json()
    assert body.get("data") is None, body
    errors: list[dict[str, Any]] = body["errors"]
    return errors


def _cost(query: str, variables: dict[str, Any] | None = None) -> int:
    settings = Settings()
    document = parse(query)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    schema = build_schema(settings)._schema
    return query_cost(schema, operation, fragments, variables or {}, 20, 100, list_bounds(settings))


def test_every_list_field_of_the_schema_has_a_bound() -> None:
    settings = Settings()
    bounds = list_bounds(settings)
    schema = build_schema(settings)._schema
    unbounded = []
    for type_name, named in schema.type_map.items():
        if type_name.startswith("__") or not (is_object_type(named) or is_interface_type(named)):
            continue
        for name, field in named.fields.items():
            if not is_list_type(get_nullable_type(field.type)) or "first" in field.args:
                continue
            if name == "_entities" or (name == "edges" and type_name.endswith("Connection")):
                continue
            if f"{type_name}.{name}" not in bounds and name not in bounds:
                unbounded.append(f"{type_name}.{name}")
    assert unbounded == []


def test_query_cost_follows_fragments_and_defaults() -> None:
    # states: 10, vos under each state: 10×5, shgs without `first`: the default 20.
    assert (
        _cost("""query { states(first: 10) { ...S } shgs { totalCount } }
        fragment S on GeoUnitConnection { edges { node { vos(first: 5) { totalCount } } } }""")
        == 10 + 50 + 20
    )


def test_lists_without_a_page_cost_their_bound() -> None:
    lines = '{ node(id: "x") { ... on Voucher { lines { account } linked { id } } } }'
    assert _cost(lines) == MAX_VOUCHER_LINES + 10
    # `loans` and `vouchers` without `first` return the default page, and are charged it.
    assert _cost('{ loans(shgCode: "S") { edges { node { schedule { principal } } } } }') == (
        20 + 20 * 120
    )
    assert _cost('{ vouchers(cboCode: "S") { edges { node { lines { account } } } } }') == (
        20 + 20 * MAX_VOUCHER_LINES
    )
    portfolio = '{ cifPortfolio(cboCode: "V") { loans { loan { schedule { principal } } } } }'
    assert _cost(portfolio) == 100 + 100 * 120
    assert _cost(
        '{ fundFlow(cboCode: "V") { releases(first: 5) { amount } totals { fund } } }'
    ) == (5 + 4)


def test_a_fragment_spread_many_times_is_costed_once() -> None:
    """Doubling spreads through ten fragments is 2^10 walks for a naive cost model."""
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(10))
    query = (
        f"query {{ ...F0 }} {fragments} fragment F10 on Query {{ shgs(first: 1) {{ totalCount }} }}"
    )
    started = time.perf_counter()
    assert _cost(query) == 2**10
    assert time.perf_counter() - started < 0.5


async def test_aliased_reads_of_voucher_lines_are_charged(api: Api) -> None:
    """15 aliased reads of a 20,000-line voucher's lines once cost nothing and took 24 s."""
    read = 'vouchers(cboCode: "SHG-X", first: 100) { edges { node { lines { account } } } }'
    query = "{ " + " ".join(f"a{i}: {read}" for i in range(15)) + " }"
    error = (await _errors(api, query))[0]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["cost"] == 15 * (100 + 100 * MAX_VOUCHER_LINES)


async def test_loans_without_a_page_are_charged_their_default(api: Api) -> None:
    read = 'loans(shgCode: "SHG-X") { edges { node { schedule { principal } } } }'
    query = "{ " + " ".join(f"a{i}: {read}" for i in range(11)) + " }"
    assert (await _errors(api, query))[0]["extensions"]["cost"] == 11 * (20 + 20 * 120)


@pytest.mark.parametrize(
    "query",
    [
        "{ " + " ".join(["me { subject }"] * 450) + " }",
        "{ me { " + " ".join(["subject"] * 1500) + " } }",
        "query { ...A ...B } fragment A on Query { "
        + " ".join(["me { role }"] * 15)
        + " } fragment B on Query { "
        + " ".join(["me { role }"] * 15)
        + " }",
    ],
)
async def test_a_field_repeated_in_one_selection_is_refused_before_validation(
    api: Api, query: str
) -> None:
    """450 `me { subject }` cost graphql-core's field-merging rule 0.6-1 s (6.6 s reported)."""
    started = time.perf_counter()
    errors = await _errors(api, query)
    assert errors[0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert "selected more than 20 times" in errors[0]["message"]
    assert time.perf_counter() - started < 1


async def test_a_field_may_still_appear_a_few_times(api: Api) -> None:
    query = "query { me { role } ...A } fragment A on Query { me { role subject } }"
    assert (await api.query(query))["me"]["role"] == "ADMIN"


RECORD = """mutation($input: RecordVoucherInput!) { recordVoucher(input: $input) {
    voucher { id } errors { code field message } } }"""


async def test_list_inputs_are_capped_all_together(api: Api) -> None:
    lines = [{"account": "cash", "debit": "1"}] * 150
    voucher = {"cboCode": "SHG-X", "voucherDate": "2024-04-01", "narration": "n"}
    errors = await _errors(api, RECORD, {"input": {**voucher, "lines": lines + lines}})
    assert errors[0]["extensions"]["code"] == "TOO_MANY_INPUT_ITEMS"
    inline = ", ".join(['{account: "cash", debit: "1"}'] * 201)
    literal = RECORD.replace("$input: RecordVoucherInput!", "").replace(
        "input: $input",
        f'input: {{cboCode: "SHG-X", voucherDate: "2024-04-01", narration: "n", lines: [{inline}]}}',
    )
    errors = await _errors(api, literal.replace("mutation()", "mutation"))
    assert errors[0]["extensions"]["code"] == "TOO_MANY_INPUT_ITEMS"


async def test_an_integer_literal_longer_than_any_int_is_refused_plainly(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """5,000 digits passed Python's int() limit: an internal error with a stack trace."""
    errors = await _errors(api, "{ shgs(first: " + "9" * 5_000 + ") { totalCount } }")
    assert errors[0]["message"] == "An integer in the operation is larger than any GraphQL Int"
    assert "Traceback" not in caplog.text and "unexpected" not in caplog.text
