"""Tokens: anything but a valid, unexpired, correctly signed token for this API gets no data."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.auth import CLOCK_SKEW_LEEWAY_SECONDS as LEEWAY
from api.auth import mint_token
from core.access import Role
from core.settings import Settings
from core.signing_keys import dev_signing_key, public_key_of
from tests.conftest import Api

QUERY = "{ me { subject role } states { totalCount } }"


def _claims(api: Api, **change: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims = {
        "sub": "u1",
        "role": "admin",
        "scope": "",
        "iss": api.settings.jwt_issuer,
        "aud": api.settings.jwt_audience,
        "iat": now,
        "exp": now + timedelta(hours=1),
    }
    claims.update(change)
    return {k: v for k, v in claims.items() if v is not None}


def _in(seconds: int) -> int:
    return int(datetime.now(UTC).timestamp()) + seconds


def _signed(api: Api, **change: Any) -> str:
    return jwt.encode(_claims(api, **change), dev_signing_key(api.settings.config_dir), "EdDSA")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _hs256_with_public_key(api: Api) -> str:
    """The classic algorithm-confusion attack: HMAC-sign with the server's public key."""
    public = public_key_of(dev_signing_key(api.settings.config_dir)).encode()
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(
        json.dumps(_claims(api, iat=None, exp=int(datetime.now(UTC).timestamp()) + 600)).encode()
    )
    signature = hmac.new(public, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


def _other_key() -> str:
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


BAD_TOKENS = {
    "expired": lambda api: mint_token(
        api.settings, subject="u", role=Role.ADMIN, lifetime=timedelta(seconds=-5 - LEEWAY)
    ),
    "alg none": lambda api: jwt.encode(_claims(api), key=None, algorithm="none"),
    "wrong key": lambda api: jwt.encode(_claims(api), _other_key(), algorithm="EdDSA"),
    "HS256 with the public key": _hs256_with_public_key,
    "wrong audience": lambda api: jwt.encode(
        _claims(api, aud="other-api"), dev_signing_key(api.settings.config_dir), algorithm="EdDSA"
    ),
    "wrong issuer": lambda api: jwt.encode(
        _claims(api, iss="evil"), dev_signing_key(api.settings.config_dir), algorithm="EdDSA"
    ),
    "no expiry": lambda api: jwt.encode(
        _claims(api, exp=None), dev_signing_key(api.settings.config_dir), algorithm="EdDSA"
    ),
    "unknown role": lambda api: jwt.encode(
        _claims(api, role="superuser"), dev_signing_key(api.settings.config_dir), algorithm="EdDSA"
    ),
    "unknown scope": lambda api: jwt.encode(
        _claims(api, scope="BL-424242"), dev_signing_key(api.settings.config_dir), algorithm="EdDSA"
    ),
    "garbage": lambda api: "not.a.token",
    "empty subject": lambda api: _signed(api, sub=""),
    "subject longer than the columns that record it": lambda api: _signed(api, sub="s" * 129),
    "subject that is not text": lambda api: _signed(api, sub=12345),
    "expiry as numeric text": lambda api: _signed(api, exp=str(_in(3600))),
    "issued-at as numeric text": lambda api: _signed(api, iat=str(_in(0))),
    "not-before as numeric text": lambda api: _signed(api, nbf=str(_in(0))),
    "expiry as a boolean": lambda api: _signed(api, exp=True),
    "issued further in the future than the leeway": lambda api: _signed(api, iat=_in(LEEWAY + 60)),
    "not valid before a time beyond the leeway": lambda api: _signed(api, nbf=_in(LEEWAY + 60)),
}


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
async def test_bad_tokens_get_a_clear_error_and_no_data(api: Api, case: str) -> None:
    token = BAD_TOKENS[case](api)
    response = await api.post(QUERY, token=token)
    body = response.json()
    assert response.status_code == 401
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert token not in response.text


@pytest.mark.parametrize(
    "query",
    [
        QUERY,
        "{ _service { sdl } }",
        'mutation { approveCbo(input: {code: "X"}) { errors { code } } }',
    ],
)
async def test_no_token_no_data_for_any_operation(api: Api, query: str) -> None:
    response = await api.post(query, token=None)
    assert response.status_code == 401
    assert response.json()["data"] is None
    malformed = await api.client.post(
        "/graphql", json={"query": query}, headers={"Authorization": "Basic abc"}
    )
    assert malformed.status_code == 401


async def test_a_valid_token_is_accepted(api: Api) -> None:
    data = await api.query(QUERY, role=Role.APPROVER, subject="ap-3")
    assert data["me"] == {"subject": "ap-3", "role": "APPROVER"}


@pytest.fixture
async def gateway_api(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Api]:
    configured = replace(settings, gateway_subjects=frozenset({"router-1"}))
    app = create_app(configured, engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield Api(client=client, settings=configured)


async def test_federation_service_sdl_is_for_the_gateway_only(gateway_api: Api) -> None:
    data = await gateway_api.query("{ _service { sdl } }", role=Role.PARTNER, subject="router-1")
    assert "type Shg" in data["_service"]["sdl"] and "@key" in data["_service"]["sdl"]
    for role in Role:
        token = gateway_api.token(role, subject=f"{role.value}-7")
        response = await gateway_api.post("{ _service { sdl } }", token=token)
        body = response.json()
        assert body["data"] is None and "type Shg" not in response.text, role
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("scope", [[], 0, False, {}, 7])
async def test_a_scope_claim_that_is_not_a_code_is_refused_not_national(
    api: Api, scope: Any
) -> None:
    token = jwt.encode(
        _claims(api, role="bookkeeper") | {"scope": scope},
        dev_signing_key(api.settings.config_dir),
        algorithm="EdDSA",
    )
    response = await api.post(QUERY, token=token)
    assert response.status_code == 401 and response.json()["data"] is None


async def test_a_null_scope_claim_is_national(api: Api) -> None:
    token = jwt.encode(
        _claims(api) | {"scope": None}, dev_signing_key(api.settings.config_dir), algorithm="EdDSA"
    )
    assert (await api.query("{ me { scope } }", token=token)) == {"me": {"scope": None}}


@pytest.mark.parametrize("skew", [1, LEEWAY - 5])
async def test_a_token_from_a_clock_slightly_ahead_is_accepted(api: Api, skew: int) -> None:
    token = _signed(api, iat=_in(skew), nbf=_in(skew))
    assert (await api.query("{ me { subject } }", token=token)) == {"me": {"subject": "u1"}}


async def test_a_subject_as_long_as_the_columns_can_write(api: Api) -> None:
    """A 129-character subject once failed every write on PostgreSQL (made_by is 128)."""
    token = _signed(api, sub="s" * 128)
    created = await api.query(
        """mutation { createGeoUnit(input: {level: STATE, lgdCode: 77, name: "Test State"}) {
            geoUnit { code } errors { code } } }""",
        token=token,
    )
    assert created["createGeoUnit"] == {"geoUnit": {"code": "ST-77"}, "errors": []}
