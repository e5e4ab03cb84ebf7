"""Runtime configuration, read once from the environment.

Every setting is an environment variable prefixed ``LOKOS_``; the table in the
README lists them. Development gets working defaults (a local SQLite file and a
signing key generated into ``.lokos/``); production refuses to start without
the keys it needs instead of inventing them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ConfigurationError(RuntimeError):
    """Raised at start-up when the configuration is unsafe or incomplete."""


DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./lokos.db"


@dataclass(frozen=True)
class Settings:
    env: Environment = Environment.DEVELOPMENT
    database_url: str = DEFAULT_DATABASE_URL
    config_dir: Path = field(default_factory=lambda: Path(".lokos"))
    jwt_issuer: str = "lokos"
    jwt_audience: str = "lokos-api"
    # Pinned: tokens signed with any other algorithm are refused.
    jwt_algorithm: str = "EdDSA"
    jwt_public_key: str | None = None
    jwt_jwks_url: str | None = None
    # Versioned HMAC keys for identity tokens, "1:<base64>,2:<base64>"; None in
    # development means a key generated into config_dir.
    identity_keys: str | None = None
    identity_key_current: int | None = None
    # PEM private key that signs member ID cards; None in development means generated.
    card_signing_key: str | None = None
    # How long a signed ID card verifies; a card is re-issued (a new print) after that.
    card_valid_days: int = 365
    max_page_size: int = 100
    default_page_size: int = 20
    max_query_depth: int = 16
    max_aliases: int = 15
    max_tokens: int = 2000
    # Upper bound on the number of objects a query may ask for: the sum over
    # connections of the product of the page sizes that enclose them.
    max_query_cost: int = 25_000
    # The largest request body read at all (a query within max_tokens and the
    # variables of the largest voucher or meeting fit many times over), and the
    # deepest JSON nesting accepted in it (GraphQL variables nest a few levels).
    max_request_bytes: int = 256 * 1024
    # List items one operation may hand over, all its list inputs together (a
    # voucher's lines, a meeting's members and repayments, a cut-off's loans).
    max_input_items: int = 100
    # How often one response name may be selected in one selection set: the
    # validation that merges such fields is quadratic in their number.
    max_field_repeats: int = 20
    max_json_depth: int = 32
    # Match probabilities at which enrolment refuses a likely duplicate, or
    # holds her for review (dedup.score.Thresholds).
    dedup_duplicate_at: float = 0.95
    dedup_review_at: float = 0.05
    # How long a write waits for other writers' locks before a retryable BUSY error.
    lock_timeout_ms: int = 30_000
    # Token subjects of the Apollo Federation gateway (router) that composes this subgraph:
    # only they read `_service { sdl }` (any caller in development, as introspection).
    gateway_subjects: frozenset[str] = frozenset()

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        public_key = _file_or_value(env, "LOKOS_JWT_PUBLIC_KEY")
        try:
            environment = Environment(env.get("LOKOS_ENV", Environment.DEVELOPMENT))
        except ValueError as exc:
            raise ConfigurationError(
                f"LOKOS_ENV must be one of {', '.join(e.value for e in Environment)}"
            ) from exc
        settings = cls(
            env=environment,
            database_url=env.get("LOKOS_DATABASE_URL") or DEFAULT_DATABASE_URL,
            config_dir=Path(env.get("LOKOS_CONFIG_DIR", ".lokos")),
            jwt_issuer=env.get("LOKOS_JWT_ISSUER", "lokos"),
            jwt_audience=env.get("LOKOS_JWT_AUDIENCE", "lokos-api"),
            jwt_algorithm=env.get("LOKOS_JWT_ALGORITHM", "EdDSA"),
            jwt_public_key=public_key or None,
            jwt_jwks_url=env.get("LOKOS_JWT_JWKS_URL") or None,
            identity_keys=env.get("LOKOS_IDENTITY_KEYS") or None,
            identity_key_current=(
                int(env["LOKOS_IDENTITY_KEY_CURRENT"])
                if env.get("LOKOS_IDENTITY_KEY_CURRENT")
                else None
            ),
            card_signing_key=_file_or_value(env, "LOKOS_CARD_SIGNING_KEY"),
            card_valid_days=int(env.get("LOKOS_CARD_VALID_DAYS", "365")),
            max_page_size=int(env.get("LOKOS_MAX_PAGE_SIZE", "100")),
            max_query_cost=int(env.get("LOKOS_MAX_QUERY_COST", "25000")),
            max_request_bytes=int(env.get("LOKOS_MAX_REQUEST_BYTES", str(256 * 1024))),
            dedup_duplicate_at=float(env.get("LOKOS_DEDUP_DUPLICATE_AT", "0.95")),
            dedup_review_at=float(env.get("LOKOS_DEDUP_REVIEW_AT", "0.05")),
            lock_timeout_ms=int(env.get("LOKOS_LOCK_TIMEOUT_MS", "30000")),
            gateway_subjects=frozenset(
                subject.strip()
                for subject in env.get("LOKOS_GATEWAY_SUBJECTS", "").split(",")
                if subject.strip()
            ),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse configurations that are unsafe for the environment."""
        if not 0 < self.dedup_review_at <= self.dedup_duplicate_at < 1:
            raise ConfigurationError(
                "LOKOS_DEDUP_REVIEW_AT and LOKOS_DEDUP_DUPLICATE_AT need "
                "0 < review <= duplicate < 1"
            )
        if not 1 <= self.card_valid_days <= 3650:
            raise ConfigurationError("LOKOS_CARD_VALID_DAYS must be between 1 and 3650")
        if self.jwt_algorithm not in {"EdDSA", "ES256", "RS256"}:
            raise ConfigurationError(
                "LOKOS_JWT_ALGORITHM must be an asymmetric algorithm: EdDSA, ES256 or RS256"
            )
        if self.is_production and not (self.jwt_public_key or self.jwt_jwks_url):
            raise ConfigurationError(
                "Production needs the token verification key: set LOKOS_JWT_PUBLIC_KEY, "
                "LOKOS_JWT_PUBLIC_KEY_FILE or LOKOS_JWT_JWKS_URL"
            )
        if self.is_production and not self.identity_keys:
            raise ConfigurationError(
                "Production needs LOKOS_IDENTITY_KEYS: the versioned keys that tokenise "
                "Aadhaar and bank numbers"
            )
        if self.is_production and not self.card_signing_key:
            raise ConfigurationError(
                "Production needs LOKOS_CARD_SIGNING_KEY (or _FILE): the key that signs ID cards"
            )
        if self.is_production and self.database_url == DEFAULT_DATABASE_URL:
            raise ConfigurationError(
                "Production needs LOKOS_DATABASE_URL (a PostgreSQL URL), not the embedded default"
            )


def _file_or_value(env: dict[str, str], name: str) -> str | None:
    """A secret given inline (NAME) or as a file path (NAME_FILE)."""
    value = env.get(name)
    if not value and env.get(f"{name}_FILE"):
        value = Path(env[f"{name}_FILE"]).read_text()
    return value or None
