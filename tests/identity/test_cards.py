"""ID cards: the printed card draws a member's name in Devanagari as letters, not boxes;
a card token expires, and a revocation list verifies only when signed and fresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from PIL import Image, ImageDraw, ImageFont

from core.settings import ConfigurationError, Settings
from identity.cards import (
    CardError,
    CardSigner,
    card_font,
    card_png,
    draw_text,
    generated_private_key,
    verify_card,
    verify_revocations,
)

NAME = "सुनीता देवी रामेश्वरी"
MISSING = "\U0010fffd"  # a private-use code point no font draws: its glyph is the box


def _drawn(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str) -> bytes:
    image = Image.new("L", (80, 80))
    ImageDraw.Draw(image).text((10, 10), text, fill=255, font=font)
    return image.tobytes()


def test_every_letter_has_a_glyph_in_its_scripts_card_font() -> None:
    devanagari, latin = card_font(30, "devanagari"), card_font(30, "latin")
    letters = sorted(set(NAME) - {" "})
    box = _drawn(devanagari, MISSING)
    assert [c for c in letters if _drawn(devanagari, c) == box] == []
    box = _drawn(latin, MISSING)
    assert [c for c in "SHG-D00000001 Sunita (XXXX)" if _drawn(latin, c) == box] == []
    # Neither font alone would do: each draws the other script as boxes.
    assert _drawn(latin, "स") == _drawn(latin, MISSING)
    assert _drawn(devanagari, "S") == _drawn(devanagari, MISSING)


def test_mixed_text_is_drawn_in_runs_of_one_script() -> None:
    image = Image.new("L", (900, 60))
    draw = ImageDraw.Draw(image)
    draw_text(draw, (0, 0), "जय माँ दुर्गा (SHG-D00000001)", 30, 255)
    whole = image.tobytes()
    # The same text drawn run by run, by hand, in the right fonts, is the same picture.
    by_hand = Image.new("L", (900, 60))
    hand = ImageDraw.Draw(by_hand)
    first, second = "जय माँ दुर्गा ", "(SHG-D00000001)"
    hand.text((0, 0), first, fill=255, font=card_font(30, "devanagari"))
    width = int(hand.textlength(first, font=card_font(30, "devanagari")))
    hand.text((width, 0), second, fill=255, font=card_font(30, "latin"))
    assert whole == by_hand.tobytes()


def test_pillows_own_font_would_print_boxes() -> None:
    """Why the card ships a font: the default one has no Devanagari."""
    font = ImageFont.load_default(size=30)
    assert _drawn(font, "स") == _drawn(font, MISSING)


def test_a_card_with_a_devanagari_name_renders() -> None:
    claims = {
        "sub": "52345678901", "name": NAME, "shg_name": "जय माँ दुर्गा", "shg": "SHG-D00000001",
        "village": "रामपुर", "aadhaar": "XXXX-XXXX-0124", "bank": None,
    }  # fmt: skip
    png = card_png("header.payload.signature", claims)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_expired_card_is_refused_and_one_without_expiry_never_verifies() -> None:
    signer = CardSigner(generated_private_key(), valid_for=timedelta(days=365))
    jwks = signer.jwks()
    fresh = verify_card(signer.sign({"sub": "52345678901"}), jwks)
    assert fresh["exp"] - fresh["iat"] == 365 * 86400
    issued_long_ago = datetime.now(UTC) - timedelta(days=366)
    stale = signer.sign({"sub": "52345678901"}, issued_at=issued_long_ago)
    with pytest.raises(CardError, match="expired"):
        verify_card(stale, jwks)
    assert verify_card(stale, jwks, leeway=timedelta(days=2))["sub"] == "52345678901"
    # A card signed before cards had an expiry (or a forged one without): refused.
    unbounded = jwt.encode(
        {"iss": "lokos-id", "iat": datetime.now(UTC), "sub": "52345678901", "jti": "x"},
        signer._private,
        algorithm="EdDSA",
        headers={"kid": signer.kid},
    )
    with pytest.raises(CardError, match="do not verify"):
        verify_card(unbounded, jwks)


def test_a_stale_revocation_list_is_refused_when_the_verifier_asks() -> None:
    signer = CardSigner(generated_private_key())
    old = signer.revocations(["a", "b"], issued_at=datetime.now(UTC) - timedelta(days=2))
    assert verify_revocations(old, signer.jwks()).revoked == {"a", "b"}
    with pytest.raises(CardError, match="too old"):
        verify_revocations(old, signer.jwks(), max_age=timedelta(days=1))
    stranger = CardSigner(generated_private_key())
    with pytest.raises(CardError, match="key this JWKS does not hold"):
        verify_revocations(stranger.revocations([]), signer.jwks())


def test_card_validity_is_configurable_within_bounds() -> None:
    assert Settings.from_env({"LOKOS_CARD_VALID_DAYS": "30"}).card_valid_days == 30
    with pytest.raises(ConfigurationError):
        Settings.from_env({"LOKOS_CARD_VALID_DAYS": "0"})
