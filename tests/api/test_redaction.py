"""No error repeats what the client sent: every way graphql-core explains bad input, hostile.

Each case sends a valid Aadhaar and a bank account (as text, as a JSON number,
in Devanagari digits, inline in the document) through one of graphql-core's
error paths — unknown field, wrong type, missing required field, bad enum,
bad custom scalar, list coercion, syntax error, variable defaults — and then
searches the response body and every log record for the digits, in any
script and with any spacing or hyphenation.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from typing import Any

import pytest

from api.security import QueryCostLimiter
from tests.conftest import Api

AADHAAR = "234567890124"
ACCOUNT = "30012345678901"
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
SECRETS = (AADHAAR, ACCOUNT)

ENROL = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) {
    member { memberId } errors { code field message } } }"""
VOUCHER = """mutation($input: RecordVoucherInput!) { recordVoucher(input: $input) {
    voucher { id } errors { code field message } } }"""


def _member(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "shgCode": "SHG-NOPE",
        "name": "Kamla Devi",
        "gender": "F",
        "birthYear": 1984,
        "aadhaar": AADHAAR,
        "bankIfsc": "SBIN0004567",
        "bankAccount": ACCOUNT,
    }
    fields.update(changes)
    return {key: value for key, value in fields.items() if value is not None}


def _ascii_digits(text: str) -> str:
    """Every digit of any script as ASCII, separators between digits dropped."""
    as_ascii = "".join(
        str(unicodedata.digit(ch))
        if ch.isdigit() and unicodedata.digit(ch, None) is not None
        else ch
        for ch in text
    )
    return re.sub(r"(?<=\d)[\s\-.,_/'\"]+(?=\d)", "", as_ascii)


def _assert_nothing_echoed(body: str, logs: str) -> None:
    decoded = json.dumps(json.loads(body), ensure_ascii=False)
    for where, text in (("response", decoded), ("logs", logs)):
        digits = _ascii_digits(text)
        for secret in SECRETS:
            # Any eight consecutive digits of the number give it away.
            for start in range(len(secret) - 7):
                assert secret[start : start + 8] not in digits, (where, text)


def _logs(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)


async def _refused(
    api: Api,
    caplog: pytest.LogCaptureFixture,
    query: str,
    variables: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    caplog.set_level(logging.DEBUG)
    response = await api.post(query, variables, token=api.token())
    _assert_nothing_echoed(response.text, _logs(caplog))
    body = response.json()
    assert body.get("data") is None, body
    errors: list[dict[str, Any]] = body["errors"]
    for error in errors:
        assert error["extensions"]["code"], error
    return errors


VARIABLE_CASES = {
    "unknown field": (_member(mobil="9876501234"), "unknown field", "mobil"),
    "unknown field named by a number": (_member(**{AADHAAR: "x"}), "unknown field", None),
    "aadhaar as a JSON number": (_member(aadhaar=int(AADHAAR)), "aadhaar", "String"),
    "account as a JSON number": (_member(bankAccount=int(ACCOUNT)), "bankAccount", "String"),
    "account as a float": (_member(bankAccount=float(ACCOUNT)), "bankAccount", "String"),
    "missing required field": (_member(gender=None), "gender", "required"),
    "devanagari digits, missing field": (
        _member(aadhaar=AADHAAR.translate(DEVANAGARI), gender=None),
        "gender",
        "required",
    ),
    "number in an enum": (_member(gender=AADHAAR), "gender", "Gender"),
    "number as the birth year": (_member(birthYear=int(AADHAAR)), "birthYear", "Int"),
    "number as a date": (_member(birthDate=AADHAAR), "birthDate", "Date"),
    "list in a string field": (_member(aadhaar=[AADHAAR, ACCOUNT]), "aadhaar", "String"),
    "not an object": (AADHAAR, "EnrollMemberInput", None),
}


@pytest.mark.parametrize("case", sorted(VARIABLE_CASES))
async def test_variable_errors_name_the_field_not_the_value(
    api: Api, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    value, named, detail = VARIABLE_CASES[case]
    errors = await _refused(api, caplog, ENROL, {"input": value})
    messages = " ".join(error["message"] for error in errors)
    assert "$input" in messages and named in messages, messages
    if detail:
        assert detail in messages, messages
    assert {error["extensions"]["code"] for error in errors} == {"BAD_USER_INPUT"}
    assert "BAD_USER_INPUT" in _logs(caplog)  # the rebuilt message is what the log holds


async def test_every_bad_field_of_a_variable_is_reported(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    value = _member(gender=None, mobil="x", birthYear="1984", aadhaar=int(AADHAAR))
    errors = await _refused(api, caplog, ENROL, {"input": value})
    messages = sorted(error["message"] for error in errors)
    assert len(messages) == 4, messages


async def test_list_coercion_names_the_line(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    voucher = {
        "cboCode": "SHG-NOPE",
        "voucherDate": "2024-06-01",
        "narration": "x",
        "lines": [
            {"account": "cash", "debit": "100"},
            {"account": "savings_compulsory", "credit": int(AADHAAR), "memberId": ACCOUNT},
        ],
    }
    errors = await _refused(api, caplog, VOUCHER, {"input": voucher})
    assert "lines[1].credit" in errors[0]["message"] and "Money" in errors[0]["message"]


INLINE = (
    'mutation {{ enrollMember(input: {{shgCode: "SHG-NOPE", name: "Kamla Devi", gender: F, '
    "birthYear: 1984, {fields}}}) {{ errors {{ message }} }} }}"
)
INLINE_CASES = {
    "aadhaar as a number": (
        f'aadhaar: {AADHAAR}, bankIfsc: "SBIN0004567", bankAccount: "{ACCOUNT}"',
        "aadhaar",
    ),
    "account as a number": (
        f'aadhaar: "{AADHAAR}", bankIfsc: "SBIN0004567", bankAccount: {ACCOUNT}',
        "bankAccount",
    ),
    "unknown field": (
        f'aadhaar: "{AADHAAR}", bankAccount: "{ACCOUNT}", mobil: "9876501234"',
        "mobil",
    ),
    "devanagari in a string, unknown field": (
        f'aadhaar: "{AADHAAR.translate(DEVANAGARI)}", mobil: "x"',
        "mobil",
    ),
    "number in an enum": (f'aadhaar: "{AADHAAR}", relation: X{AADHAAR}', "relation"),
    "number as the birth date": (f'aadhaar: "{AADHAAR}", birthDate: "{AADHAAR}"', "birthDate"),
    "object in a string": (f'aadhaar: {{digits: "{AADHAAR}"}}', "aadhaar"),
}


@pytest.mark.parametrize("case", sorted(INLINE_CASES))
async def test_inline_values_are_not_repeated(
    api: Api, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    fields, named = INLINE_CASES[case]
    errors = await _refused(api, caplog, INLINE.format(fields=fields))
    messages = " ".join(error["message"] for error in errors)
    assert named in messages, messages
    assert errors[0]["locations"], errors[0]
    assert {error["extensions"]["code"] for error in errors} == {"GRAPHQL_VALIDATION_FAILED"}


SYNTAX_CASES = {
    "a number where a name goes": f'mutation {{ enrollMember(input: {{aadhaar: "x" {AADHAAR}: 1}}) {{ verdict }} }}',
    "two numbers in a row": f"mutation {{ enrollMember(input: {{aadhaar: {AADHAAR} {ACCOUNT}}}) {{ verdict }} }}",
    "unterminated string": f'mutation {{ enrollMember(input: {{aadhaar: "{AADHAAR}',
    "bad number": f"mutation {{ enrollMember(input: {{aadhaar: {AADHAAR}x}}) {{ verdict }} }}",
    "a number at the end": f"{{ me {{ role }} }} {AADHAAR}",
    "devanagari digits in the document": f"{{ me {{ role }} }} {AADHAAR.translate(DEVANAGARI)}",
    "a string where a selection goes": f'{{ me {{ "{AADHAAR} {ACCOUNT}" }} }}',
}


@pytest.mark.parametrize("case", sorted(SYNTAX_CASES))
async def test_syntax_errors_give_the_place_not_the_text(
    api: Api, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    errors = await _refused(api, caplog, SYNTAX_CASES[case])
    assert errors[0]["message"].startswith("Syntax Error"), errors
    assert errors[0]["locations"], errors
    assert errors[0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_variable_defaults_are_not_repeated(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    query = f"query($m: String = {AADHAAR}) {{ member(memberId: $m) {{ name }} }}"
    errors = await _refused(api, caplog, query)
    assert "$m" in errors[0]["message"] and "String" in errors[0]["message"]


async def test_an_operation_name_is_not_repeated(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await api.client.post(
        "/graphql",
        json={"query": "query A { me { role } }", "operationName": AADHAAR},
        headers={"Authorization": f"Bearer {api.token()}"},
    )
    assert response.status_code == 400
    text = response.text
    assert AADHAAR not in _ascii_digits(text) and AADHAAR not in _ascii_digits(_logs(caplog))


async def test_a_variable_that_fits_is_not_blamed_for_another_error(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    query = "query($a: String) { me { role } }"  # $a is never used: a validation error
    errors = await _refused(api, caplog, query, {"a": AADHAAR})
    assert errors[0]["message"] == "Variable '$a' is never used."
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_a_required_variable_left_out_is_named(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    errors = await _refused(api, caplog, ENROL, {"other": AADHAAR})
    assert "'$input'" in errors[0]["message"] and "not provided" in errors[0]["message"]
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_variable_errors_raised_at_execution_are_rebuilt_too(
    api: Api, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Today the cost limiter coerces variables first; without it graphql-core's execute does,
    # and its errors must leave (and be logged) rebuilt all the same.
    monkeypatch.setattr(QueryCostLimiter, "_cost_errors", lambda self: [])
    errors = await _refused(api, caplog, ENROL, {"input": _member(mobil="x", aadhaar=int(AADHAAR))})
    assert {e["extensions"]["code"] for e in errors} == {"BAD_USER_INPUT"}
    assert any("'mobil'" in e["message"] for e in errors)
    assert "Kamla" not in _logs(caplog)  # her name, which graphql-core's 'found: {...}' quotes
