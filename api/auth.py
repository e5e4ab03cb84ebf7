"""Bearer-token authentication: verify a JWT and turn it into a :class:`Principal`.

Tokens are verified with PyJWT against the configured public key (or JWKS),
with the algorithm pinned, and ``exp``, ``iss``, ``aud``, ``sub`` and ``role``
required. ``alg: none``, HMAC-signed tokens (algorithm confusion) and anything
signed by another key are refused. Failures carry a reason for the client but
never the token itself.

``sub`` is text of 1 to 128 characters (what the audit and maker/checker
columns hold; a longer one failed every write on PostgreSQL). ``exp``, ``iat``
and ``nbf`` are JSON numbers: PyJWT would read ``"1893456000"`` as a time.
Times are compared with a leeway of ``CLOCK_SKEW_LEEWAY_SECONDS`` (30 s) both
ways, so a token issued by a clock a little ahead of ours is not refused, and
one a little past its expiry still passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.access import MAX_SUBJECT_LENGTH, NATIONAL, Principal, Role, Scope
from core.settings import Settings
from core.signing_keys import dev_signing_key, public_key_of
from hierarchy.lookup import scope_of_code

# How far the identity provider's clock may differ from ours (see the module docstring).
CLOCK_SKEW_LEEWAY_SECONDS = 30
_TIME_CLAIMS = ("exp", "iat", "nbf")


class AuthenticationError(Exception):
    """The request carries no usable token; the message is safe to show the caller."""


@dataclass(frozen=True)
class TokenVerifier:
    settings: Settings
    public_key: Any = None
    jwks: jwt.PyJWKClient | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenVerifier:
        if settings.jwt_jwks_url:
            return cls(settings, jwks=jwt.PyJWKClient(settings.jwt_jwks_url))
        key = settings.jwt_public_key
        if key is None:
            # Development and tests only: Settings.check refuses this in production.
            key = public_key_of(dev_signing_key(settings.config_dir))
        return cls(settings, public_key=key)

    def claims(self, token: str) -> dict[str, Any]:
        try:
            key = self.public_key
            if self.jwks is not None:
                key = self.jwks.get_signing_key_from_jwt(token).key
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[self.settings.jwt_algorithm],
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                leeway=CLOCK_SKEW_LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthenticationError("The token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise AuthenticationError("The token is not meant for this API") from exc
        except jwt.InvalidIssuerError as exc:
            raise AuthenticationError("The token comes from an unknown issuer") from exc
        except jwt.InvalidAlgorithmError as exc:
            raise AuthenticationError("The token's signing algorithm is not accepted") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise AuthenticationError(f"The token lacks the '{exc.claim}' claim") from exc
        except jwt.ImmatureSignatureError as exc:
            raise AuthenticationError("The token is not valid yet") from exc
        except jwt.PyJWTError as exc:
            raise AuthenticationError("The token is malformed or wrongly signed") from exc
        _check_claim_types(claims)
        return claims


def _check_claim_types(claims: dict[str, Any]) -> None:
    subject = claims["sub"]
    if not isinstance(subject, str) or not 0 < len(subject) <= MAX_SUBJECT_LENGTH:
        raise AuthenticationError(
            f"The token's 'sub' must be text of 1 to {MAX_SUBJECT_LENGTH} characters"
        )
    for name in _TIME_CLAIMS:
        value = claims.get(name)
        if name in claims and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise AuthenticationError(f"The token's '{name}' must be a number of seconds")


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise AuthenticationError("Sign in: send 'Authorization: Bearer <token>'")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("The Authorization header must be 'Bearer <token>'")
    return token.strip()


class ScopeDirectory:
    """Scope codes resolved to the units they name, remembered across requests.

    Safe to remember: a unit's code, level and id never change (nothing is
    deleted, and moving a unit keeps its id). Unknown codes are not remembered,
    since the unit may be created later.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], capacity: int = 100_000) -> None:
        self.sessions = sessions
        self.capacity = capacity
        self._known: dict[str, Scope] = {}

    async def scope(self, code: str) -> Scope | None:
        known = self._known.get(code)
        if known is not None:
            return known
        async with self.sessions() as session:
            found = await scope_of_code(session, code)
        if found is not None:
            if len(self._known) >= self.capacity:
                self._known.clear()
            self._known[code] = found
        return found


@dataclass(frozen=True)
class Authenticator:
    """Turns an Authorization header into a principal, or refuses it."""

    verifier: TokenVerifier
    scopes: ScopeDirectory

    async def principal(self, authorization: str | None) -> Principal:
        claims = self.verifier.claims(bearer_token(authorization))
        return await principal_of(claims, self.scopes)


async def principal_of(claims: dict[str, Any], scopes: ScopeDirectory) -> Principal:
    """Check the role and resolve the scope code to the unit it names."""
    try:
        role = Role(str(claims.get("role")))
    except ValueError as exc:
        raise AuthenticationError("The token's role is not one this API knows") from exc
    # Only an absent, null or empty claim means national; anything else must name a unit.
    code = claims.get("scope")
    if code is None:
        code = ""
    if not isinstance(code, str):
        raise AuthenticationError("The token's scope must be a unit code")
    scope = NATIONAL
    if code:
        found = await scopes.scope(code)
        if found is None:
            raise AuthenticationError("The token's scope names no known unit")
        scope = found
    return Principal(subject=str(claims["sub"]), role=role, scope=scope)


def mint_token(
    settings: Settings,
    *,
    subject: str,
    role: Role,
    scope: str = "",
    lifetime: timedelta = timedelta(hours=12),
    extra: dict[str, Any] | None = None,
) -> str:
    """A development token signed with the local key (``lokos token``)."""
    if settings.is_production:
        raise RuntimeError("Production tokens come from the identity provider, not from lokos")
    now = datetime.now(UTC)
    claims = {
        "sub": subject,
        "role": role.value,
        "scope": scope,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + lifetime,
        **(extra or {}),
    }
    return jwt.encode(claims, dev_signing_key(settings.config_dir), algorithm="EdDSA")
