"""The printed ID card draws a member's name in Devanagari as letters, not boxes."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from identity.cards import card_font, card_png, draw_text

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
