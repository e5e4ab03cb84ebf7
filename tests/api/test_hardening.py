"""Limits every operation passes before it runs, masked errors, production lock-down."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.hierarchy.dataloaders import GeoUnitByCodeLoader
from api.security import CostModel
from core.settings import Environment, Settings
from core.signing_keys import dev_signing_key, public_key_of
from hierarchy.models import Cbo
from tests.conftest import Api
from tests.world import build_world


async def _errors(
    api: Api, query: str, variables: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    response = await api.post(query, variables, token=api.token())
    body = response.json()
    assert body.get("data") is None, body
    errors: list[dict[str, Any]] = body["errors"]
    return errors


def _nest(depth: int) -> str:
    inner = "code"
    for _ in range(depth):
        inner = f"children(first: 1) {{ edges {{ node {{ {inner} }} }} }}"
    return f"{{ states(first: 1) {{ edges {{ node {{ {inner} }} }} }} }}"


async def test_depth_limit(api: Api) -> None:
    errors = await _errors(api, _nest(6))
    assert "exceeds maximum operation depth" in errors[0]["message"]


async def test_alias_limit_counts_aliases_behind_fragment_spreads(api: Api) -> None:
    aliases = " ".join(f"a{i}: me {{ role }}" for i in range(10))
    query = f"query {{ ...F ...G }} fragment F on Query {{ {aliases} }} fragment G on Query {{ {aliases.replace('a', 'b')} }}"
    errors = await _errors(api, query)
    assert "aliases" in errors[0]["message"].lower()


async def test_token_limit(api: Api) -> None:
    query = "{ " + " ".join(["__typename"] * 3000) + " }"
    errors = await _errors(api, query)
    assert "token" in errors[0]["message"].lower()


async def test_cost_budget_refuses_before_any_sql(api: Api, statements: list[str]) -> None:
    query = """query($n: Int) { states(first: 100) { edges { node { children(first: $n) { edges { node {
        children(first: 100) { edges { node { code } } } } } } } } } }"""
    api.token()  # the key is made before counting
    statements.clear()
    errors = await _errors(api, query, {"n": 100})
    assert errors[0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert errors[0]["extensions"]["cost"] == 100 + 100 * 100 + 100 * 100 * 100
    # The token's scope lookup is national here: no statement ran at all.
    assert statements == []


@pytest.mark.parametrize("first", [-1, 101])
async def test_page_size_is_capped(api: Api, first: int) -> None:
    errors = await _errors(api, "query($f: Int) { shgs(first: $f) { totalCount } }", {"f": first})
    assert errors[0]["message"] == "'first' must be between 0 and 100"
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_page_size_refused_at_run_time_carries_its_code(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cost limiter refuses bad page sizes first; the connection's own check is the
    # backstop, and answers the same way.
    monkeypatch.setattr(CostModel, "_factor", lambda *_: None)
    errors = await _errors(api, "{ shgs(first: 101) { totalCount } }")
    assert errors[0]["message"] == "'first' must be between 0 and 100"
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}


async def test_a_passbook_page_out_of_range_carries_its_code(api: Api) -> None:
    response = await api.post(
        '{ passbook(memberId: "X", last: 1000) { balances { account } } }', token=api.token()
    )
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "last"}


@pytest.mark.parametrize("as_variable", [False, True])
async def test_a_bad_date_carries_its_code(api: Api, as_variable: bool) -> None:
    if as_variable:
        query = 'query($d: Date) { portfolioAtRisk(shgCode: "SHG-X", asOf: $d) }'
        errors = await _errors(api, query, {"d": "2024-02-30"})
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    else:
        query = '{ portfolioAtRisk(shgCode: "SHG-X", asOf: "2024-02-30") }'
        errors = await _errors(api, query)
        assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "asOf" in errors[0]["message"] or "$d" in errors[0]["message"]
    assert "Date" in errors[0]["message"]


async def test_bad_cursor_is_a_clear_error(api: Api) -> None:
    errors = await _errors(api, '{ members(after: "bm90LWEtY3Vyc29y") { totalCount } }')
    assert errors[0]["message"] == "The 'after' cursor is not one this API issued"
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


SUGGESTION_BAIT = {
    "field": ("{ shgz { totalCount } }", None),
    "argument": ("{ shgs(firs: 1) { totalCount } }", None),
    "type": ("query($c: Strin) { shg(code: $c) { code } }", None),
    "directive": ("{ me @skp(if: true) { role } }", None),
    "fragment type": ("{ ...F } fragment F on Quer { me { role } }", None),
    "enum literal": (
        'mutation { enrollMember(input: {shgCode: "S", name: "N", gender: Ff}) { verdict } }',
        None,
    ),
    "enum variable": (
        "mutation($i: EnrollMemberInput!) { enrollMember(input: $i) { verdict } }",
        {"i": {"shgCode": "S", "name": "N", "gender": "Ff"}},
    ),
    "input field": (
        "mutation($i: EnrollMemberInput!) { enrollMember(input: $i) { verdict } }",
        {"i": {"shgCode": "S", "name": "N", "gender": "F", "mobil": "1"}},
    ),
}


@pytest.mark.parametrize("bait", sorted(SUGGESTION_BAIT))
async def test_no_suggestions_of_any_kind(api: Api, bait: str) -> None:
    query, variables = SUGGESTION_BAIT[bait]
    response = await api.post(query, variables, token=api.token())
    assert response.json()["errors"], response.text
    assert "did you mean" not in response.text.lower()


async def test_unexpected_errors_are_masked_in_responses_and_logs(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    detail = "connection to db-internal-7 failed for 98765 43210"

    async def broken(*_args: Any) -> Any:
        raise RuntimeError(detail)

    monkeypatch.setattr(GeoUnitByCodeLoader, "fetch", broken)
    response = await api.post('{ geoUnit(code: "ST-9") { code } }', token=api.token())
    assert response.json()["errors"][0]["message"] == "Unexpected error."
    assert response.json()["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "db-internal" not in response.text and "98765" not in response.text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "unexpected RuntimeError" in logged and "geoUnit" in logged
    assert "98765" not in logged and "ST-9" not in logged


async def test_graphiql_in_development(api: Api) -> None:
    response = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()


async def test_healthz(api: Api) -> None:
    response = await api.client.get("/healthz")
    assert response.json() == {"status": "ok"}


@pytest.fixture
async def production(
    settings: Settings, engine: AsyncEngine
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    private = dev_signing_key(settings.config_dir)
    prod = Settings(
        env=Environment.PRODUCTION,
        database_url=settings.database_url,
        config_dir=settings.config_dir / "unused",
        jwt_public_key=public_key_of(private),
        identity_keys="1:" + "A" * 44,
        card_signing_key=private,
    )
    prod.check()
    token = jwt.encode(
        {
            "sub": "ops",
            "role": "admin",
            "iss": prod.jwt_issuer,
            "aud": prod.jwt_audience,
            "exp": 4102444800,
        },
        private,
        algorithm="EdDSA",
    )
    transport = httpx.ASGITransport(app=create_app(prod, engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://prod") as client:
        yield client, token


async def test_production_has_no_introspection_and_no_graphiql(
    production: tuple[httpx.AsyncClient, str],
) -> None:
    client, token = production
    headers = {"Authorization": f"Bearer {token}"}
    response = await client.post(
        "/graphql", json={"query": "{ __schema { types { name } } }"}, headers=headers
    )
    assert response.json()["data"] is None
    assert "introspection" in response.json()["errors"][0]["message"].lower()
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert "graphiql" not in page.text.lower()
    ok = await client.post("/graphql", json={"query": "{ me { role } }"}, headers=headers)
    assert ok.json() == {"data": {"me": {"role": "ADMIN"}}}


async def test_production_hands_the_sdl_to_no_one_but_the_gateway(
    production: tuple[httpx.AsyncClient, str],
) -> None:
    client, token = production  # a national admin; no gateway is configured
    response = await client.post(
        "/graphql",
        json={"query": "{ _service { sdl } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.json()["data"] is None and "type Shg" not in response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_negative_page_cannot_hide_cost_behind_a_null_parent(api: Api) -> None:
    heavy = "clfs(first: 100) { edges { node { vos(first: 100) { edges { node { shgs(first: 100) { totalCount } } } } } } }"
    errors = await _errors(
        api, f'{{ shg(code: "NOPE") {{ members(first: -2000000000) {{ totalCount }} }} {heavy} }}'
    )
    assert errors[0]["message"] == "'first' must be between 0 and 100"


async def test_variable_defaults_and_floats_are_costed_at_their_value(api: Api) -> None:
    query = """query($n: Int = 100) { clfs(first: $n) { edges { node { vos(first: $n) { edges { node {
        shgs(first: $n) { totalCount } } } } } } } }"""
    assert (await _errors(api, query))[0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert (await _errors(api, query, {"n": 100.0}))[0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_entities_cost_counts_every_representation(api: Api) -> None:
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Shg {
        members(first: 100) { totalCount } } } }"""
    many = [{"__typename": "Shg", "code": f"SHG-{i}"} for i in range(150)]
    assert "at most 100" in (await _errors(api, query, {"r": many}))[0]["message"]
    nested = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Shg {
        members(first: 100) { edges { node { memberId } } } } } }"""
    error = (
        await _errors(
            api,
            nested.replace("memberId", "shg { members(first: 2) { totalCount } }"),
            {"r": many[:100]},
        )
    )[0]
    assert (
        error["extensions"]["cost"] == 100 + 100 * 100 + 100 * 100 * 2
    )  # counted per representation


async def test_bad_variables_are_explained_without_echoing_them(api: Api) -> None:
    query = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) { verdict } }"""
    secret = {
        "shgCode": "SHG-X",
        "name": "Kamla Devi",
        "mobile": "9876500000",
        "aadhaar": "234567890124",
    }
    response = await api.post(query, {"input": secret}, token=api.token())
    text = response.text
    assert "gender" in text  # the rule is still explained
    for value in secret.values():
        assert value not in text


UNSTORABLE = ["Jai\x00Maa", "Jai \ud800 Maa"]


@pytest.mark.parametrize("name", UNSTORABLE, ids=["nul", "lone-surrogate"])
async def test_text_no_database_can_store_is_refused_before_it_runs(
    api: Api, sessions: Any, name: str
) -> None:
    """A NUL in an idempotency key reached asyncpg (PostgreSQL refuses it in text) and a
    lone surrogate has no UTF-8: both were masked internal errors (found by the fuzz run). Now they are bad input, in a variable, in a
    variable's key and inline, and nothing is written."""
    world = await build_world(sessions)
    gp = next(c for c, t in world.geo.items() if t.kind == "gram_panchayat")
    create = """mutation($input: CreateVoInput!) { createVo(input: $input) {
        vo { code } errors { code } } }"""
    before = await _count(sessions, select(func.count()).select_from(Cbo))
    shapes = [
        (
            create,
            {
                "input": {
                    "gramPanchayatCode": gp,
                    "name": "Jai Maa VO",
                    "formedOn": "2021-01-01",
                    "idempotencyKey": name,
                }
            },
        ),
        (create, {"input": {"gramPanchayatCode": gp, "formedOn": "2021-01-01", name: "x"}}),
        (
            '{ geoUnit(code: "'
            + name.encode("unicode_escape").decode().replace("\\x", "\\u00")
            + '") { code } }',
            None,
        ),
    ]
    for query, variables in shapes:
        response = await api.client.post(
            "/graphql",
            content=json.dumps({"query": query, "variables": variables or {}}),
            headers={"Authorization": f"Bearer {api.token()}", "Content-Type": "application/json"},
        )
        body = response.json()
        assert response.status_code < 500, body
        assert body.get("data") is None, body
        # An inline lone surrogate is already a syntax error: GraphQL has no such escape.
        codes = {e["extensions"]["code"] for e in body["errors"]}
        assert codes <= {"BAD_USER_INPUT", "GRAPHQL_PARSE_FAILED"} and codes, body
    assert await _count(sessions, select(func.count()).select_from(Cbo)) == before


async def _count(sessions: Any, statement: Any) -> int:
    async with sessions() as session:
        return int((await session.execute(statement)).scalar_one())


async def test_an_input_object_wider_than_any_input_type_is_refused_at_once(api: Api) -> None:
    """25,000 unknown keys (250 KB, inside the body limit) held a worker for ~50 s and 15,000
    ~18 s: graphql-core explains each unknown key against the whole object."""
    keys = {f"k{i}": 1 for i in range(15_000)}
    enrol = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) {
        errors { code } } }"""
    started = time.perf_counter()
    errors = await _errors(api, enrol, {"input": {"shgCode": "SHG-X", **keys}})
    assert time.perf_counter() - started < 2
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"]
    # As wide as a real input type still gets the ordinary, field-by-field answer.
    errors = await _errors(api, enrol, {"input": {"shgCode": "SHG-X", "mobil": "1"}})
    assert errors and all(e["extensions"]["code"] == "BAD_USER_INPUT" for e in errors)


@pytest.mark.parametrize(
    "query",
    [
        "{ me { ...F } }",
        "{ me { ...F } } fragment F on Me { ...G } fragment G on Me { ...F }",
    ],
    ids=["unknown fragment", "fragment cycle"],
)
async def test_a_broken_fragment_is_a_validation_error_not_a_crash(
    api: Api, caplog: pytest.LogCaptureFixture, query: str
) -> None:
    """The depth limiter looked the fragment up by name: a KeyError whose text went out."""
    errors = await _errors(api, query)
    assert [e["extensions"]["code"] for e in errors] == ["GRAPHQL_VALIDATION_FAILED"] * len(errors)
    assert errors[0]["message"] != "'F'"
    assert "unexpected" not in caplog.text and "Traceback" not in caplog.text


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31", "0999-12-31"])
async def test_a_date_no_record_can_hold_is_bad_input(
    api: Api, sessions: Any, caplog: pytest.LogCaptureFixture, as_of: str
) -> None:
    """Grading from 0001-01-01 overflowed its window: an internal error with a stack."""
    world = await build_world(sessions)
    shg = next(c for c, t in world.cbos.items() if t.kind == "shg")
    by_variable = "query($c: String!, $d: Date!) { panchasutra(shgCode: $c, asOf: $d) { grade } }"
    inline = by_variable.replace(", $d: Date!", "").replace("$d", f'"{as_of}"')
    for query, variables in ((by_variable, {"c": shg, "d": as_of}), (inline, {"c": shg})):
        errors = await _errors(api, query, variables)
        assert len(errors) == 1, errors
        assert errors[0]["extensions"]["code"] in {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"}
        assert "1000-01-01" in errors[0]["message"], errors
    assert "unexpected" not in caplog.text


@pytest.mark.parametrize(
    "representation",
    [
        {"__typename": "Nope", "code": "SHG-X"},
        "x",
        {"__typename": "Shg"},
        {"__typename": "Shg", "code": ["a"]},
        {"__typename": "Shg", "code": 123},
        {"__typename": "Voucher", "id": "1"},
        {"code": "SHG-X"},
        {"__typename": "Member", "memberId": "1", "extra": "x"},
    ],
)
async def test_a_representation_that_is_no_reference_is_bad_input(
    api: Api, sessions: Any, caplog: pytest.LogCaptureFixture, representation: Any
) -> None:
    """Each was a masked internal error (KeyError, AttributeError, TypeError) with a stack
    in the log; a good reference beside it still resolves."""
    world = await build_world(sessions)
    shg = next(c for c, t in world.cbos.items() if t.kind == "shg")
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Shg { code } } }"""
    response = await api.post(
        query, {"r": [{"__typename": "Shg", "code": shg}, representation]}, token=api.token()
    )
    body = response.json()
    assert body["data"]["_entities"][0] == {"code": shg}, body
    assert body["data"]["_entities"][1] is None
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["_entities", 1], "BAD_USER_INPUT")
    ]
    assert "unexpected" not in caplog.text
