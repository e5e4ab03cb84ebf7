"""Keyed tokens: stable, key-dependent, separated by kind, and rotatable."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import pytest

from core.settings import ConfigurationError, Environment, Settings
from identity.tokens import Keyring, keyring_from_settings

AADHAAR = "234567890124"
KEY_1, KEY_2 = b"1" * 32, b"2" * 32


def test_token_is_hmac_sha256_under_the_current_key_and_stable() -> None:
    keyring = Keyring({1: KEY_1}, current=1)
    expected = hmac.new(KEY_1, b"aadhaar:" + AADHAAR.encode(), hashlib.sha256).hexdigest()
    assert keyring.token("aadhaar", AADHAAR) == f"v1:{expected}"
    assert keyring.token("aadhaar", AADHAAR) == keyring.token("aadhaar", AADHAAR)
    assert AADHAAR not in keyring.token("aadhaar", AADHAAR)


def test_a_plain_hash_is_not_what_is_stored() -> None:
    token = Keyring({1: KEY_1}, current=1).token("aadhaar", AADHAAR)
    assert hashlib.sha256(AADHAAR.encode()).hexdigest() not in token


def test_kinds_and_keys_give_different_tokens() -> None:
    one, two = Keyring({1: KEY_1}, current=1), Keyring({1: KEY_2}, current=1)
    assert one.token("aadhaar", AADHAAR) != one.token("bank", AADHAAR)
    assert one.token("aadhaar", AADHAAR) != two.token("aadhaar", AADHAAR)


def test_rotation_keeps_old_tokens_findable() -> None:
    before = Keyring({1: KEY_1}, current=1)
    after = Keyring({1: KEY_1, 2: KEY_2}, current=2)
    stored_before = before.token("aadhaar", AADHAAR)
    candidates = after.candidates("aadhaar", AADHAAR)
    assert candidates[0] == after.token("aadhaar", AADHAAR)  # new writes use the current key
    assert candidates[0].startswith("v2:")
    assert stored_before in candidates  # and old rows are still found


def test_digits_of_another_script_are_never_tokenised() -> None:
    keyring = Keyring({1: KEY_1}, current=1)
    devanagari = AADHAAR.translate({ord("0") + d: 0x0966 + d for d in range(10)})
    with pytest.raises(ValueError, match="ASCII"):
        keyring.token("aadhaar", devanagari)
    with pytest.raises(ValueError, match="ASCII"):
        keyring.candidates("bank", "SBIN0001234:３００１２３４５６７８")


def test_parse_configuration() -> None:
    text = f"1:{base64.b64encode(KEY_1).decode()}, 2:{base64.b64encode(KEY_2).decode()}"
    assert Keyring.parse(text).current == 2
    assert Keyring.parse(text, current=1).current == 1
    for bad in ["", "x:abc", "1:not base64!"]:
        with pytest.raises(ConfigurationError):
            Keyring.parse(bad)
    with pytest.raises(ConfigurationError, match="at least 32 bytes"):
        Keyring.parse("1:" + base64.b64encode(b"short").decode())


def test_development_generates_one_key_and_keeps_it(tmp_path: Path) -> None:
    settings = Settings(config_dir=tmp_path)
    first, second = keyring_from_settings(settings), keyring_from_settings(settings)
    assert first == second
    assert (tmp_path / "identity-keys.json").stat().st_mode & 0o077 == 0


def test_production_without_keys_refuses(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="LOKOS_IDENTITY_KEYS"):
        keyring_from_settings(Settings(env=Environment.PRODUCTION, config_dir=tmp_path))
