"""The one place that turns identity numbers into keyed tokens.

A token is ``v<version>:<hex HMAC-SHA256>`` under a versioned secret key. A
plain hash would not do: there are fewer than 10^12 Aadhaar numbers, few
enough to hash them all and read the table backwards. The kind of number
(``aadhaar``, ``bank``) is part of the MAC input, so an Aadhaar token can
never equal a bank token.

Rotation: new tokens are made under the current key; lookups try every
active key, so rows tokenised under an older key are still found. A row is
re-tokenised under the current key whenever its number is given again (a
profile correction); once no rows carry an old version, retire its key.

>>> keyring = Keyring({1: b"k" * 32}, current=1)
>>> keyring.token("aadhaar", "234567890124")[:3]
'v1:'
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from core.settings import ConfigurationError, Settings

KEYS_FILE = "identity-keys.json"
MIN_KEY_BYTES = 32


def version_of(token: str) -> str:
    """The key version a token was made under: ``"v1"`` of ``"v1:…"``.

    Tokens of one number under two versions differ, so two tokens say
    "same" or "different" only when their versions agree.
    """
    return token.split(":", 1)[0]


@dataclass(frozen=True)
class Keyring:
    keys: dict[int, bytes]
    current: int

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise ConfigurationError("The current identity key version has no key")
        if any(len(key) < MIN_KEY_BYTES for key in self.keys.values()):
            raise ConfigurationError(f"Identity keys must be at least {MIN_KEY_BYTES} bytes")

    def _mac(self, version: int, kind: str, digits: str) -> str:
        if not digits.isascii():
            # One number, one token: digits of other scripts are read as ASCII before
            # this point (identity.numbers), and a caller that skipped that is a bug.
            raise ValueError("identity numbers are tokenised in ASCII digits only")
        mac = hmac.new(self.keys[version], f"{kind}:{digits}".encode(), hashlib.sha256)
        return f"v{version}:{mac.hexdigest()}"

    def token(self, kind: str, digits: str) -> str:
        """The token to store, under the current key."""
        return self._mac(self.current, kind, digits)

    def candidates(self, kind: str, digits: str) -> list[str]:
        """The tokens this number may be stored under, one per active key (current first)."""
        versions = [self.current, *sorted(v for v in self.keys if v != self.current)]
        return [self._mac(version, kind, digits) for version in versions]

    @classmethod
    def parse(cls, text: str, current: int | None = None) -> Keyring:
        """Read ``"1:<base64>,2:<base64>"``; the current key is the highest version unless named."""
        keys: dict[int, bytes] = {}
        try:
            for part in filter(None, (p.strip() for p in text.split(","))):
                version, _, encoded = part.partition(":")
                keys[int(version)] = base64.b64decode(encoded, validate=True)
        except ValueError as exc:
            raise ConfigurationError(
                "LOKOS_IDENTITY_KEYS must look like '1:<base64 key>,2:<base64 key>'"
            ) from exc
        if not keys:
            raise ConfigurationError("LOKOS_IDENTITY_KEYS holds no key")
        return cls(keys, current if current is not None else max(keys))


def keyring_from_settings(settings: Settings) -> Keyring:
    """The configured keyring; in development, a key generated once into the config dir."""
    if settings.identity_keys:
        return Keyring.parse(settings.identity_keys, settings.identity_key_current)
    if settings.is_production:
        raise ConfigurationError("Production needs LOKOS_IDENTITY_KEYS (the identity token keys)")
    path = settings.config_dir / KEYS_FILE
    if not path.exists():
        _write_dev_keys(path)
    stored = json.loads(path.read_text())
    return Keyring(
        {int(v): base64.b64decode(k) for v, k in stored["keys"].items()}, stored["current"]
    )


def _write_dev_keys(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {"current": 1, "keys": {"1": base64.b64encode(secrets.token_bytes(32)).decode()}}
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first
    with os.fdopen(fd, "w") as handle:
        json.dump(content, handle)
