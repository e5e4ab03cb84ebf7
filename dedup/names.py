"""Indian names, in Latin or Devanagari, brought to one comparable form.

"Smt. Suneeta Debi W/o Ramesh Kumar", "सुनीता देवी" and "Devi Sunita" all
become the same :class:`Name`: given name ``sunita``, the rest ``devi``, and
the relative ``ramesh kumar`` split off with the relation the marker names.

Every step is a named rule, applied in this order:

1. ``script``: Devanagari is transliterated (:mod:`dedup.devanagari`).
2. ``case_and_punctuation``: lower case, ASCII letters only, dots and
   hyphens become spaces ("S.Lakshmi" is two tokens).
3. ``relative_marker``: W/o, D/o, S/o, C/o, H/o, "wife of", पत्नी … split
   the text into her name and her relative's name.
4. ``honorific``: Smt, Shrimati, Mrs, Ms, Sushri, Late … are dropped, and
   Kumari (or Km) too when it leads as a title ("Kumari Rekha"); a trailing
   Kumari is part of the name ("Rekha Kumari").
5. ``initial``: one-letter tokens are dropped ("K. Lakshmi").
6. spelling variants, token by token (:data:`SPELLING_RULES`).
7. ``token_order``: the given name is the first token that is not a common
   second name (Devi, Kumari, Bai …), so "Devi Sunita" is "Sunita Devi".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from dedup.devanagari import is_devanagari, to_latin

# (rule name, pattern, replacement), applied in order to each token.
SPELLING_RULES: tuple[tuple[str, str, str], ...] = (
    ("ksh_x", r"ksh|ks", "x"),
    ("singh", r"nh$", "ng"),
    ("ph_f", r"ph", "f"),
    ("chh_ch", r"chh|ch", "c"),
    ("sh_s", r"sh", "s"),
    ("aspirates", r"([tdbgkj])h", r"\1"),
    ("nasal_before_labial", r"n(?=[pbm])", "m"),
    ("z_j", r"z", "j"),
    ("q_k", r"q", "k"),
    ("w_v", r"w", "v"),
    ("b_v", r"b", "v"),
    ("ee_i", r"ee|ii", "i"),
    ("oo_u", r"oo|uu|ou", "u"),
    ("aa_a", r"aa", "a"),
    ("y_i", r"(?<=[^aeiou])y(?=[^aeiou])|y$", "i"),
    ("doubled_letters", r"(.)\1+", r"\1"),
)
_COMPILED = tuple((name, re.compile(pattern), repl) for name, pattern, repl in SPELLING_RULES)

HONORIFICS = frozenset(
    [
        "smt",
        "smti",
        "shrimati",
        "shreemati",
        "srimati",
        "shrimti",
        "srimathi",
        "mrs",
        "ms",
        "miss",
        "sushri",
        "km",
        "sh",
        "shri",
        "sri",
        "shree",
        "mr",
        "late",
        "lt",
        "swargiya",
        "svargiya",
        "sva",
        "dr",
    ]
)
# Second names that say little about who she is: many women in a village share them.
COMMON_SECOND_NAMES = frozenset(
    [
        "devi",
        "debi",
        "kumari",
        "kumaree",
        "bai",
        "ben",
        "bibi",
        "begum",
        "khatun",
        "khatoon",
        "rani",
    ]
)
_LEADING_TITLES = frozenset({"kumari", "kumaree"})

_MARKERS = {
    "w/o": "husband",
    "wo": "husband",
    "wife of": "husband",
    "h/o": "other",
    "d/o": "father",
    "daughter of": "father",
    "s/o": "father",
    "son of": "father",
    "c/o": "other",
    "care of": "other",
    "पत्नी": "husband",
    "पुत्री": "father",
    "पति": "husband",
}
_MARKER_RE = re.compile(
    r"(?:^|\s|,)(w\s*/\s*o|h\s*/\s*o|d\s*/\s*o|s\s*/\s*o|c\s*/\s*o|wife of|daughter of|son of"
    r"|care of|पत्नी|पुत्री|पति)(?=\s|\.|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Name:
    """A normalised name: what the comparators and blocking keys read.

    >>> parse_name("Smt. Suneeta Debi W/o Ramesh Kumar")
    Name(given='sunita', rest='devi', relative='ramesh kumar', relation='husband')
    """

    given: str
    rest: str  # the other tokens, in order, space-separated ("" when none)
    relative: str = ""  # a relative's name found inside the text, normalised
    relation: str | None = None  # the relation its marker names

    @property
    def full(self) -> str:
        return f"{self.given} {self.rest}".strip()


def fold(token: str) -> str:
    """One token through every spelling rule: ``fold("suneeta") == "sunita"``."""
    for _, pattern, replacement in _COMPILED:
        token = pattern.sub(replacement, token)
    return token


@lru_cache(maxsize=100_000)
def skeleton(token: str) -> str:
    """The folded token's first letter and its consonants: the blocking code.

    Vowels are where spellings and scripts disagree most (Kamla, Kamala,
    कमला), consonants where different names differ (Sunita, Sarita).

    >>> skeleton("sunita"), skeleton("anita"), skeleton("amita")
    ('snt', 'ant', 'amt')
    """
    if not token:
        return ""
    return token[0] + re.sub(r"[aeiou]", "", token[1:])


def without_schwa(token: str) -> str:
    """The folded token without an "a" between two consonants.

    Latin spellings and the Devanagari they came from disagree most about
    the inherent vowel: Kamla and कमला ("kamala"), Rajkumari and राजकुमारी.

    >>> without_schwa("kamala") == without_schwa("kamla")
    True
    """
    return _SCHWA.sub("", token)


_SCHWA = re.compile(r"(?<=[^aeiou ])a(?=[^aeiou ])")


def _ascii_tokens(text: str) -> list[str]:
    text = to_latin(text) if is_devanagari(text) else text
    text = re.sub(r"[.\-_'`]", " ", text.lower())
    return re.sub(r"[^a-z ]", " ", text).split()


def _clean_tokens(text: str) -> list[str]:
    tokens = [t for t in _ascii_tokens(text) if t not in HONORIFICS]
    if len(tokens) > 1 and tokens[0] in _LEADING_TITLES:
        tokens = tokens[1:]
    tokens = [t for t in tokens if len(t) > 1]
    return [fold(t) for t in tokens]


def _split_relative(text: str) -> tuple[str, str, str | None]:
    match = _MARKER_RE.search(text)
    if match is None:
        return text, "", None
    marker = re.sub(r"\s+", "", match.group(1).lower()).replace("of", " of")
    marker = {"wifeof": "wife of"}.get(marker, marker).strip()
    relation = _MARKERS.get(marker) or _MARKERS.get(match.group(1).lower().strip())
    return text[: match.start()], text[match.end() :], relation or "other"


def _order(tokens: list[str]) -> tuple[str, str]:
    if not tokens:
        return "", ""
    given = next((t for t in tokens if t not in _FOLDED_SECOND_NAMES), tokens[0])
    rest = list(tokens)
    rest.remove(given)
    return given, " ".join(rest)


_FOLDED_SECOND_NAMES = frozenset(fold(name) for name in COMMON_SECOND_NAMES)


# Names repeat endlessly in a register: each spelling is parsed once.
@lru_cache(maxsize=500_000)
def parse_name(text: str) -> Name:
    """Her name, and a relative's name when the text carries one ("… W/o Ramesh")."""
    own, relative_text, relation = _split_relative(text)
    given, rest = _order(_clean_tokens(own))
    relative = " ".join(_clean_tokens(relative_text)) if relative_text else ""
    return Name(given=given, rest=rest, relative=relative, relation=relation)


@lru_cache(maxsize=500_000)
def parse_relative(text: str | None) -> str:
    """A relative's name, normalised the same way: ``"Late Sh. Ram Prasad"`` → ``"ram prasad"``."""
    if not text:
        return ""
    return " ".join(_clean_tokens(text))


def is_common_second_name(token: str) -> bool:
    return token in _FOLDED_SECOND_NAMES
