"""The development token-signing key, kept in the local config directory.

In development ``lokos token`` signs tokens with an Ed25519 key generated once
into ``.lokos/jwt-signing-key.pem`` and the API verifies them with its public
half: the same asymmetric path production uses, where the API holds only a
public key (or a JWKS address) and the identity provider keeps the private one.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SIGNING_KEY_FILE = "jwt-signing-key.pem"


def dev_signing_key(config_dir: Path) -> str:
    """The private key PEM, generated on first use with owner-only permissions."""
    path = config_dir / SIGNING_KEY_FILE
    if path.exists():
        return path.read_text()
    config_dir.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return pem.decode()


def public_key_of(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
