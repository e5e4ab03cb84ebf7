"""Devanagari names written the way a Hindi speaker would spell them in Latin letters.

Not a scholarly transliteration (no diacritics, no round trip): the aim is
that ``सुनीता देवी`` comes out as ``sunita devi`` and ``राजकुमारी`` as
``rajkumari``, the spellings a field worker would type, so the Latin folding
rules in :mod:`dedup.names` take both scripts to one form.

The one rule that needs care is the inherent vowel (schwa): Hindi drops it
at the end of a word (राम is "ram"); see :func:`_keeps_schwa`.

>>> to_latin("सुनीता देवी")
'sunita devi'
>>> to_latin("राजकुमारी")
'rajakumari'
>>> to_latin("लक्ष्मी")
'lakshmi'
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

_VIRAMA = "\u094d"
_NUKTA = "\u093c"

_CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n",
    "च": "ch", "छ": "chh", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n",
    "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n",
    "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m",
    "य": "y", "र": "r", "ल": "l", "ळ": "l", "व": "v",
    "श": "sh", "ष": "sh", "स": "s", "ह": "h",
}  # fmt: skip
# Consonants with a nukta: Urdu and Hindi sounds with their usual spellings.
_NUKTA_CONSONANTS = {"क": "q", "ख": "kh", "ग": "g", "ज": "z", "ड": "r", "ढ": "rh", "फ": "f"}
_PRECOMPOSED_NUKTA = {
    "\u0958": "q", "\u0959": "kh", "\u095a": "g", "\u095b": "z",
    "\u095c": "r", "\u095d": "rh", "\u095e": "f", "\u095f": "y",
}  # fmt: skip
_VOWELS = {
    "अ": "a", "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ऋ": "ri",
    "ए": "e", "ऐ": "ai", "ओ": "o", "औ": "au", "ऑ": "o", "ऍ": "e",
}  # fmt: skip
_MATRAS = {
    "\u093e": "a", "\u093f": "i", "\u0940": "i", "\u0941": "u", "\u0942": "u",
    "\u0943": "ri", "\u0947": "e", "\u0948": "ai", "\u094b": "o", "\u094c": "au",
    "\u0949": "o", "\u0945": "e",
}  # fmt: skip
_ANUSVARA = "\u0902"
_CHANDRABINDU = "\u0901"
_VISARGA = "\u0903"
_LABIALS = ("p", "b", "m")


def is_devanagari(text: str) -> bool:
    return any("\u0900" <= ch <= "\u097f" for ch in text)


class _Unit(NamedTuple):
    """One written syllable: its consonant sounds, how many consonants, and its vowel.

    ``vowel`` is None for an inherent schwa and "" for a unit with no vowel
    (a nasal sign, a visarga, or a half consonant ending the word).
    """

    sound: str
    consonants: int
    vowel: str | None


_NASAL = _Unit("\x00", 0, "")


def _units(word: str) -> list[_Unit]:
    units: list[_Unit] = []
    sound, consonants = "", 0
    i = 0
    while i < len(word):
        ch = word[i]
        if ch in _CONSONANTS or ch in _PRECOMPOSED_NUKTA:
            if ch in _PRECOMPOSED_NUKTA:
                sound += _PRECOMPOSED_NUKTA[ch]
            elif word[i + 1 : i + 2] == _NUKTA:
                sound += _NUKTA_CONSONANTS.get(ch, _CONSONANTS[ch])
                i += 1
            else:
                sound += _CONSONANTS[ch]
            consonants += 1
            following = word[i + 1 : i + 2]
            if following == _VIRAMA:  # a half consonant joins the next one
                i += 2
                continue
            if following and following in _MATRAS:
                units.append(_Unit(sound, consonants, _MATRAS[following]))
                i += 1
            else:
                units.append(_Unit(sound, consonants, None))
            sound, consonants = "", 0
        elif ch in _VOWELS:
            units.append(_Unit("", 0, _VOWELS[ch]))
        elif ch in (_ANUSVARA, _CHANDRABINDU):
            units.append(_NASAL)
        elif ch == _VISARGA:
            units.append(_Unit("h", 0, ""))
        i += 1
    if sound:
        units.append(_Unit(sound, consonants, ""))
    return units


def _keeps_schwa(units: list[_Unit], index: int) -> bool:
    """Hindi drops the schwa at the end of a word (राम is "ram"), but not after a
    conjunct (मिश्र is "mishra") or in a word of one syllable.

    Medial schwas are kept: Latin spellings follow the parts of a compound
    name (Shakuntala, Kalawati, Chandrakala) more often than speech (Kamla),
    and the comparators forgive the extra "a" either way.
    """
    later = [unit for unit in units[index + 1 :] if unit is not _NASAL]
    return bool(later) or index == 0 or units[index].consonants > 1


def _word_to_latin(word: str) -> str:
    units = _units(word)
    out: list[str] = []
    for index, unit in enumerate(units):
        if unit is _NASAL:
            following = units[index + 1].sound if index + 1 < len(units) else ""
            out.append("m" if following.startswith(_LABIALS) else "n")
            continue
        vowel = unit.vowel
        if vowel is None:
            vowel = "a" if _keeps_schwa(units, index) else ""
        out.append(unit.sound + vowel)
    return "".join(out)


def to_latin(text: str) -> str:
    """Transliterate Devanagari words; anything else passes through unchanged."""
    # ज्ञ is said and written "gy" (ज्ञानवती is Gyanvati), not "jn".
    text = unicodedata.normalize("NFC", text).replace("ज्ञ", "ग्य")
    words = []
    for word in text.split():
        words.append(_word_to_latin(word) if is_devanagari(word) else word)
    return " ".join(words)
