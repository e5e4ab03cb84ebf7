"""Start-up refuses unsafe configurations."""

from __future__ import annotations

import pytest

from core.settings import ConfigurationError, Environment, Settings


def test_development_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.env is Environment.DEVELOPMENT
    assert settings.database_url == "sqlite+aiosqlite:///./lokos.db"
    assert settings.jwt_algorithm == "EdDSA"


def test_production_refuses_a_missing_verification_key() -> None:
    with pytest.raises(ConfigurationError, match="LOKOS_JWT_PUBLIC_KEY"):
        Settings.from_env(
            {"LOKOS_ENV": "production", "LOKOS_DATABASE_URL": "postgresql+asyncpg://db/lokos"}
        )


PRODUCTION = {
    "LOKOS_ENV": "production",
    "LOKOS_JWT_JWKS_URL": "https://idp/jwks",
    "LOKOS_DATABASE_URL": "postgresql+asyncpg://db/lokos",
    "LOKOS_IDENTITY_KEYS": "1:" + "A" * 44,
    "LOKOS_CARD_SIGNING_KEY": "-----BEGIN PRIVATE KEY-----...",
}


def test_a_complete_production_configuration_starts() -> None:
    assert Settings.from_env(PRODUCTION).is_production


def test_production_refuses_the_embedded_database() -> None:
    with pytest.raises(ConfigurationError, match="LOKOS_DATABASE_URL"):
        Settings.from_env({**PRODUCTION, "LOKOS_DATABASE_URL": ""})


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("LOKOS_IDENTITY_KEYS", "LOKOS_IDENTITY_KEYS"),
        ("LOKOS_CARD_SIGNING_KEY", "LOKOS_CARD_SIGNING_KEY"),
    ],
)
def test_production_refuses_missing_identity_secrets(missing: str, named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        Settings.from_env({**PRODUCTION, missing: ""})


@pytest.mark.parametrize("algorithm", ["HS256", "none"])
def test_symmetric_or_no_algorithm_is_refused(algorithm: str) -> None:
    with pytest.raises(ConfigurationError, match="asymmetric"):
        Settings.from_env({"LOKOS_JWT_ALGORITHM": algorithm})


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="LOKOS_ENV"):
        Settings.from_env({"LOKOS_ENV": "staging"})
