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
    max_page_size: int = 100
    default_page_size: int = 20
    max_query_depth: int = 16
    max_aliases: int = 15
    max_tokens: int = 2000
    # Upper bound on the number of objects a query may ask for: the sum over
    # connections of the product of the page sizes that enclose them.
    max_query_cost: int = 25_000

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        public_key = env.get("LOKOS_JWT_PUBLIC_KEY")
        key_file = env.get("LOKOS_JWT_PUBLIC_KEY_FILE")
        if not public_key and key_file:
            public_key = Path(key_file).read_text()
        try:
            environment = Environment(env.get("LOKOS_ENV", Environment.DEVELOPMENT))
        except ValueError as exc:
            raise ConfigurationError(
                f"LOKOS_ENV must be one of {', '.join(e.value for e in Environment)}"
            ) from exc
        settings = cls(
            env=environment,
            database_url=env.get("LOKOS_DATABASE_URL", DEFAULT_DATABASE_URL),
            config_dir=Path(env.get("LOKOS_CONFIG_DIR", ".lokos")),
            jwt_issuer=env.get("LOKOS_JWT_ISSUER", "lokos"),
            jwt_audience=env.get("LOKOS_JWT_AUDIENCE", "lokos-api"),
            jwt_algorithm=env.get("LOKOS_JWT_ALGORITHM", "EdDSA"),
            jwt_public_key=public_key or None,
            jwt_jwks_url=env.get("LOKOS_JWT_JWKS_URL") or None,
            max_page_size=int(env.get("LOKOS_MAX_PAGE_SIZE", "100")),
            max_query_cost=int(env.get("LOKOS_MAX_QUERY_COST", "25000")),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse configurations that are unsafe for the environment."""
        if self.jwt_algorithm not in {"EdDSA", "ES256", "RS256"}:
            raise ConfigurationError(
                "LOKOS_JWT_ALGORITHM must be an asymmetric algorithm: EdDSA, ES256 or RS256"
            )
        if self.is_production and not (self.jwt_public_key or self.jwt_jwks_url):
            raise ConfigurationError(
                "Production needs the token verification key: set LOKOS_JWT_PUBLIC_KEY, "
                "LOKOS_JWT_PUBLIC_KEY_FILE or LOKOS_JWT_JWKS_URL"
            )
        if self.is_production and self.database_url == DEFAULT_DATABASE_URL:
            raise ConfigurationError(
                "Production needs LOKOS_DATABASE_URL (a PostgreSQL URL), not the embedded default"
            )
