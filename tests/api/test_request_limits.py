"""A request's body is bounded in size and JSON nesting before anything reads it."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import pytest

from api.request_limits import json_depth
from tests.conftest import Api


def _headers(api: Api) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.token()}", "Content-Type": "application/json"}


def _assert_refused(status: int, body: dict[str, object], code: str) -> None:
    assert body["data"] is None
    errors = body["errors"]
    assert isinstance(errors, list) and errors[0]["extensions"]["code"] == code, body


async def test_a_body_over_the_limit_is_refused_as_413(api: Api) -> None:
    query = '{ shg(code: "' + "x" * 10_000_000 + '") { code } }'
    response = await api.client.post(
        "/graphql", content=json.dumps({"query": query}), headers=_headers(api)
    )
    assert response.status_code == 413
    _assert_refused(response.status_code, response.json(), "REQUEST_TOO_LARGE")


async def test_a_chunked_body_is_cut_off_at_the_limit_not_read_to_the_end(api: Api) -> None:
    """No Content-Length to trust: the body is counted as it arrives, and reading stops."""
    chunk = b" " * 65_536
    pulled: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        yield b'{"query": "{ me { subject } }"'
        for _ in range(10_000):  # 655 MB if it were all read
            pulled.append(len(chunk))
            yield chunk
        yield b"}"

    response = await api.client.post("/graphql", content=endless(), headers=_headers(api))
    assert response.status_code == 413
    _assert_refused(response.status_code, response.json(), "REQUEST_TOO_LARGE")
    assert sum(pulled) <= api.settings.max_request_bytes + len(chunk)


async def test_a_lying_content_length_does_not_let_more_through(api: Api) -> None:
    body = json.dumps({"query": '{ shg(code: "' + "x" * 400_000 + '") { code } }'})
    headers = {**_headers(api), "Content-Length": "100"}
    response = await api.client.post("/graphql", content=body.encode(), headers=headers)
    assert response.status_code == 413


async def test_a_body_within_the_limit_goes_through(api: Api) -> None:
    response = await api.client.post(
        "/graphql", content=json.dumps({"query": "{ me { subject } }"}), headers=_headers(api)
    )
    assert response.status_code == 200 and response.json()["data"]["me"]["subject"]


@pytest.mark.parametrize("depth", [40, 1_000, 100_000])
async def test_deeply_nested_json_is_a_400_without_a_stack_trace(
    api: Api, depth: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = '{"query": "{ me { subject } }", "variables": {"a": ' + "[" * depth + "]" * depth + "}}"
    response = await api.client.post("/graphql", content=body.encode(), headers=_headers(api))
    assert response.status_code == 400
    _assert_refused(response.status_code, response.json(), "BAD_REQUEST")
    assert "nests deeper" in response.json()["errors"][0]["message"]
    assert not any(record.exc_info for record in caplog.records)
    assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text


async def test_an_integer_too_long_to_decode_is_a_400(api: Api) -> None:
    body = '{"query": "{ me { subject } }", "variables": {"a": ' + "9" * 5_000 + "}}"
    response = await api.client.post("/graphql", content=body.encode(), headers=_headers(api))
    assert response.status_code == 400
    _assert_refused(response.status_code, response.json(), "BAD_REQUEST")


def test_json_depth() -> None:
    values: list[object] = [1, [], {"a": [1, {"b": []}]}, [[[[]]]]]
    assert [json_depth(v) for v in values] == [0, 1, 4, 4]
