"""Signed member ID cards: a compact EdDSA token, its public keys as JWKS, a printable card,
and the signed list of cards revoked before their expiry.

A card token carries the member ID, name, SHG, village and masked Aadhaar and
bank numbers, an expiry (``exp``) and an ID of its own (``jti``), signed with
the platform's card key. Partners verify it offline against the public keys
served at ``/.well-known/jwks.json`` (or a copy of them); the token's header
names the key (``kid``) so keys can rotate. Every card issued is recorded (its
``jti`` and expiry, not its contents) and audited; when her membership ends
(exit, transfer, a duplicate enrolment ended) her unexpired cards are revoked,
and ``/.well-known/card-revocations.json`` serves their ``jti`` values, signed
with the same key, for partners to check cards against offline.

>>> signer = CardSigner(generated_private_key())
>>> token = signer.sign({"sub": "52345678901"})
>>> revoked = verify_revocations(signer.revocations([]), signer.jwks())
>>> claims = verify_card(token, signer.jwks(), revoked)
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jwt
import qrcode
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Principal, Role
from core.audit import record_audit
from core.database import utc_now
from core.errors import DomainError, ErrorCode
from core.settings import ConfigurationError, Settings
from hierarchy.lookup import member_by_member_id
from hierarchy.members import check_can_take_part
from hierarchy.models import Cbo, GeoUnit, Member
from identity.models import CardIssuance
from identity.numbers import masked_aadhaar, masked_account

CARD_ISSUER = "lokos-id"
CARD_KEY_FILE = "card-signing-key.pem"
# The revocation list's own token type, so that neither can pass for the other.
REVOCATIONS_TYPE = "card-revocations+jwt"
DEFAULT_VALIDITY = timedelta(days=365)


class CardError(Exception):
    """A card token that does not verify; the message is safe to show."""


def generated_private_key() -> str:
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


@dataclass(frozen=True)
class CardSigner:
    private_pem: str
    valid_for: timedelta = DEFAULT_VALIDITY

    @classmethod
    def from_settings(cls, settings: Settings) -> CardSigner:
        valid_for = timedelta(days=settings.card_valid_days)
        if settings.card_signing_key:
            return cls(settings.card_signing_key, valid_for)
        if settings.is_production:
            raise ConfigurationError("Production needs LOKOS_CARD_SIGNING_KEY")
        return cls(_dev_card_key(settings.config_dir), valid_for)

    @property
    def _private(self) -> Ed25519PrivateKey:
        key = serialization.load_pem_private_key(self.private_pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigurationError("The card signing key must be an Ed25519 key")
        return key

    @property
    def _public(self) -> Ed25519PublicKey:
        return self._private.public_key()

    @property
    def kid(self) -> str:
        raw = self._public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return hashlib.sha256(raw).hexdigest()[:16]

    def jwks(self) -> dict[str, Any]:
        jwk: dict[str, Any] = OKPAlgorithm.to_jwk(self._public, as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "EdDSA"}]}

    def sign(self, claims: dict[str, Any], *, issued_at: datetime | None = None) -> str:
        """A card token: ``claims`` with the issuer, issue time, expiry and a fresh ``jti``."""
        at = (issued_at or datetime.now(UTC)).replace(microsecond=0)
        body = {
            "iss": CARD_ISSUER,
            "iat": at,
            "exp": at + self.valid_for,
            "jti": secrets.token_urlsafe(12),
            **claims,
        }
        return jwt.encode(body, self._private, algorithm="EdDSA", headers={"kid": self.kid})

    def revocations(self, revoked: Iterable[str], *, issued_at: datetime | None = None) -> str:
        """The revocation list as a signed token: its issue time and the revoked ``jti`` values."""
        body = {
            "iss": CARD_ISSUER,
            "iat": (issued_at or datetime.now(UTC)).replace(microsecond=0),
            "revoked": sorted(revoked),
        }
        return jwt.encode(
            body,
            self._private,
            algorithm="EdDSA",
            headers={"kid": self.kid, "typ": REVOCATIONS_TYPE},
        )


def _dev_card_key(config_dir: Path) -> str:
    path = config_dir / CARD_KEY_FILE
    if not path.exists():
        config_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text()
        with os.fdopen(fd, "w") as handle:
            handle.write(generated_private_key())
    return path.read_text()


def card_claims(member: Member, shg: Cbo, village: GeoUnit) -> dict[str, Any]:
    """What a card says: enough to recognise her, nothing that identifies her numbers."""
    return {
        "sub": member.member_id,
        "name": member.name,
        "shg": shg.code,
        "shg_name": shg.name,
        "village": village.name,
        "aadhaar": masked_aadhaar(member.aadhaar_last4) if member.aadhaar_last4 else None,
        "bank": masked_account(member.bank_last4) if member.bank_last4 else None,
    }


def _public_key(token: str, jwks: dict[str, Any]) -> tuple[Ed25519PublicKey, dict[str, Any]]:
    """The JWKS key the token's header names, and the header."""
    header = jwt.get_unverified_header(token)
    keys = {key.get("kid"): key for key in jwks.get("keys", [])}
    if header.get("kid") not in keys:
        raise CardError("The card was signed by a key this JWKS does not hold")
    public = OKPAlgorithm.from_jwk(keys[header["kid"]])
    if not isinstance(public, Ed25519PublicKey):
        raise CardError("The card key must be a public Ed25519 key")
    return public, header


@dataclass(frozen=True)
class Revocations:
    """A verified revocation list: when it was issued and the ``jti`` of each revoked card."""

    issued_at: datetime
    revoked: frozenset[str]


def verify_revocations(
    token: str, jwks: dict[str, Any], *, max_age: timedelta | None = None
) -> Revocations:
    """Check a revocation list (the ``signed`` member of card-revocations.json) against a JWKS.

    ``max_age`` refuses a list older than that: a stale list does not know of
    the latest exits.
    """
    try:
        public, header = _public_key(token, jwks)
        if header.get("typ") != REVOCATIONS_TYPE:
            raise CardError("This is not a card revocation list")
        claims = jwt.decode(
            token,
            public,
            algorithms=["EdDSA"],
            issuer=CARD_ISSUER,
            options={"require": ["iss", "iat", "revoked"]},
        )
    except jwt.PyJWTError as exc:
        raise CardError("The revocation list's signature or contents do not verify") from exc
    issued_at = datetime.fromtimestamp(claims["iat"], UTC)
    if max_age is not None and datetime.now(UTC) - issued_at > max_age:
        raise CardError("The revocation list is too old: fetch it again")
    revoked = claims["revoked"]
    if not isinstance(revoked, list) or not all(isinstance(jti, str) for jti in revoked):
        raise CardError("The revocation list's contents do not verify")
    return Revocations(issued_at, frozenset(revoked))


def verify_card(
    token: str,
    jwks: dict[str, Any],
    revocations: Revocations | None = None,
    *,
    leeway: timedelta = timedelta(0),
) -> dict[str, Any]:
    """Check a card token against a JWKS (offline): signature, issuer, expiry and, given a
    verified revocation list, that it was not revoked; return its claims."""
    try:
        public, header = _public_key(token, jwks)
        if header.get("typ") == REVOCATIONS_TYPE:
            raise CardError("This is a revocation list, not a card")
        claims: dict[str, Any] = jwt.decode(
            token,
            public,
            algorithms=["EdDSA"],
            issuer=CARD_ISSUER,
            leeway=leeway,
            options={"require": ["iss", "iat", "exp", "jti", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise CardError("The card has expired") from exc
    except jwt.PyJWTError as exc:
        raise CardError("The card's signature or contents do not verify") from exc
    if revocations is not None and claims["jti"] in revocations.revoked:
        raise CardError("The card has been revoked")
    return claims


CARD_SIZE = (1011, 638)  # CR80 at 300 dpi
QR_SIDE = 480


_FONTS = {"latin": "NotoSans-Regular.ttf", "devanagari": "NotoSansDevanagari-Regular.ttf"}


@cache
def card_font(size: int, script: str = "latin") -> ImageFont.FreeTypeFont:
    """Noto Sans, Latin or Devanagari (SIL OFL 1.1, ``identity/fonts/OFL.txt``), shipped in
    the package: Pillow's own font has no Devanagari, and Noto's Devanagari font no Latin."""
    font = resources.files("identity").joinpath(f"fonts/{_FONTS[script]}")
    return ImageFont.truetype(io.BytesIO(font.read_bytes()), size)


def _script(char: str) -> str | None:
    """Devanagari for its blocks (signs, danda and Vedic marks included) and the zero-width
    joiners that shape its conjuncts; None for a space, which either font draws; Latin for
    the rest (Noto's Devanagari font lacks some punctuation, "&" among it)."""
    point = ord(char)
    if 0x0900 <= point <= 0x097F or 0xA8E0 <= point <= 0xA8FF or 0x1CD0 <= point <= 0x1CFF:
        return "devanagari"
    if char in "\u200c\u200d":
        return "devanagari"
    return None if char.isspace() else "latin"


def draw_text(
    draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, size: int, fill: Any
) -> None:
    """``text`` in runs of one script, each in its font, so "सुनीता (SHG-D0001)" prints whole.

    Each run is shaped as one piece, so conjuncts and vowel signs join (Raqm, in
    Pillow's wheels, does the shaping).
    """
    x, y = xy
    runs: list[list[str]] = []  # [script, text]
    for char in text:
        script = _script(char)
        if runs and (script is None or script == runs[-1][0]):
            runs[-1][1] += char
        elif not runs and script is None:
            runs.append(["latin", char])
        else:
            runs.append([script or "latin", char])
    for script, run in runs:
        font = card_font(size, script)
        draw.text((x, y), run, fill=fill, font=font)
        x += int(draw.textlength(run, font=font))


def card_png(token: str, claims: dict[str, Any]) -> bytes:
    """A printable card: her details on the left, the signed token as a QR code on the right."""
    card = Image.new("RGB", CARD_SIZE, "white")
    draw = ImageDraw.Draw(card)
    draw.rectangle([(0, 0), (CARD_SIZE[0], 90)], fill=(128, 0, 64))
    draw_text(draw, (30, 14), "SHG Member ID Card", 42, "white")
    lines = [
        ("Name", claims["name"]),
        ("Member ID", claims["sub"]),
        ("SHG", f"{claims['shg_name']} ({claims['shg']})"),
        ("Village", claims["village"]),
        ("Aadhaar", claims.get("aadhaar") or "not linked"),
        ("Bank", claims.get("bank") or "not linked"),
    ]
    y = 120
    for label, value in lines:
        draw_text(draw, (30, y), label, 22, (90, 90, 90))
        draw_text(draw, (30, y + 28), str(value)[:32], 30, "black")
        y += 80
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(token)
    code.make(fit=True)
    # Whole pixels per module, as large as fits: scaling a QR image afterwards blurs it.
    code.box_size = QR_SIDE // (code.modules_count + 2 * code.border)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    card.paste(image, (CARD_SIZE[0] - image.width - 30, (CARD_SIZE[1] + 90 - image.height) // 2))
    out = io.BytesIO()
    card.save(out, format="PNG")
    return out.getvalue()


@dataclass(frozen=True)
class IssuedCard:
    token: str
    claims: dict[str, Any]


async def issue_card(
    session: AsyncSession, principal: Principal, signer: CardSigner, member_id: str
) -> IssuedCard:
    """Sign a card for an active member in the caller's scope, record and audit it.

    Runs in the caller's write transaction: a card that is not recorded is not issued.
    """
    principal.require(Role.ADMIN, Role.BOOKKEEPER)
    member = await member_by_member_id(session, principal.scope, member_id)
    if member is None:
        raise DomainError(ErrorCode.NOT_FOUND, "memberId", "No member with this ID in your scope")
    check_can_take_part(member, "memberId")
    shg = await session.get(Cbo, member.shg_id)
    village = await session.get(GeoUnit, member.village_id)
    assert shg is not None
    assert village is not None
    token = signer.sign(card_claims(member, shg, village))
    claims = verify_card(token, signer.jwks())
    issued_at = datetime.fromtimestamp(claims["iat"], UTC)
    expires_at = datetime.fromtimestamp(claims["exp"], UTC)
    session.add(
        CardIssuance(
            jti=claims["jti"],
            member_pk=member.id,
            shg_id=shg.id,
            issued_by=principal.subject,
            issued_at=issued_at,
            expires_at=expires_at,
        )
    )
    await record_audit(
        session,
        actor=principal.subject,
        action="card.issued",
        entity_type="member",
        entity_id=member.id,
        detail={
            "member_id": member.member_id,
            "shg": shg.code,
            "jti": claims["jti"],
            "expires_at": expires_at.isoformat(),
        },
    )
    await session.flush()
    return IssuedCard(token=token, claims=claims)


async def revoke_cards(session: AsyncSession, member: Member, reason: str, actor: str) -> None:
    """Revoke her cards that have not yet expired (her membership ended or moved), audited.

    Runs in the caller's transaction, so the revocation stands or falls with the exit.
    """
    now = utc_now()
    revoked = list(
        await session.scalars(
            update(CardIssuance)
            .where(
                CardIssuance.member_pk == member.id,
                CardIssuance.revoked_at.is_(None),
                CardIssuance.expires_at > now,
            )
            .values(revoked_at=now, revoked_reason=reason)
            .returning(CardIssuance.jti)
        )
    )
    if revoked:
        await record_audit(
            session,
            actor=actor,
            action="card.revoked",
            entity_type="member",
            entity_id=member.id,
            detail={"member_id": member.member_id, "reason": reason, "jti": sorted(revoked)},
        )


async def revoked_card_ids(session: AsyncSession) -> list[str]:
    """The ``jti`` of every revoked card not yet expired (an expired card fails by itself)."""
    return list(
        await session.scalars(
            select(CardIssuance.jti).where(
                CardIssuance.revoked_at.is_not(None), CardIssuance.expires_at > utc_now()
            )
        )
    )
