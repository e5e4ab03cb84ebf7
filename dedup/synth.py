"""Synthetic SHG members with known truth: an interchange CSV and the true duplicate pairs.

Women live in households, and households make the hard cases: a mother and
her daughter-in-law share the family phone and bank account; sisters share
their father's name and were born a year or two apart; a village holds
several Sunita Devis married to different men. Duplicates are the same
woman enrolled again, the way it happens in the field: another SHG in her
village or a neighbouring one, her name spelt differently or written in
Devanagari, her age instead of her birth date, a new phone, and after
marriage another district, with her husband's name where her father's was.

>>> rows, truth = synthesise(50, dup_rate=0.1, seed=1)
>>> len(rows), len(truth)
(50, 5)
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from dedup.synth_names import MEN_NAMES, SURNAME_NAMES, WOMEN_NAMES
from identity.verhoeff import check_digit

COLUMNS = (
    "member_ref",
    "state_code",
    "district_code",
    "block_code",
    "gp_code",
    "village_code",
    "shg_code",
    "name",
    "relative_name",
    "relation",
    "gender",
    "birth_date",
    "birth_year",
    "mobile",
    "aadhaar",
    "bank_ifsc",
    "bank_account",
    "social_category",
)
TRUTH_COLUMNS = ("member_ref_a", "member_ref_b", "kind")
_AS_OF = date(2026, 4, 1)
_STATES = ((9, "Uttar Pradesh"), (10, "Bihar"), (20, "Jharkhand"), (23, "Madhya Pradesh"))
# Latin spelling swaps seen in registers: (written one way, written the other).
_SPELLINGS = (
    ("ee", "i"), ("i", "ee"), ("oo", "u"), ("u", "oo"), ("w", "v"), ("v", "w"),
    ("sh", "s"), ("bi", "vi"), ("ba", "va"), ("ksh", "x"), ("x", "ksh"), ("ph", "f"), ("a", "aa"),
    ("tt", "t"), ("ll", "l"), ("nn", "n"), ("th", "t"), ("dh", "d"), ("y", "i"),
)  # fmt: skip
_CATEGORIES = ("sc", "st", "obc", "general", "minority")


@dataclass(frozen=True)
class Place:
    state: str
    district: str
    block: str
    gp: str
    village: str
    district_index: int


@dataclass(frozen=True)
class Woman:
    given: str
    style: str  # devi | surname | kumari | plain
    surname: str
    relative: str
    relation: str
    birth: date
    age_only: bool
    mobile: str
    aadhaar: str
    bank_ifsc: str
    bank_account: str
    category: str
    place: Place
    shg: str


def _zipf(names: list[str], exponent: float = 0.5) -> list[float]:
    return [1 / (rank + 1) ** exponent for rank in range(len(names))]


class _World:
    def __init__(self, members: int, rng: random.Random) -> None:
        self.rng = rng
        districts = max(2, members // 50_000)
        self.places: list[Place] = []
        for d in range(districts):
            state_lgd, _ = _STATES[d % len(_STATES)]
            for b in range(8):
                for g in range(10):
                    for v in range(3):
                        self.places.append(
                            Place(
                                f"ST-{state_lgd}",
                                f"DT-{100 + d}",
                                f"BL-{1000 + d * 8 + b}",
                                f"GP-{100000 + (d * 8 + b) * 10 + g}",
                                f"VL-{500000 + ((d * 8 + b) * 10 + g) * 3 + v}",
                                d,
                            )
                        )
        self.women = list(WOMEN_NAMES)
        self.women_weights = _zipf(self.women)
        self.men = list(MEN_NAMES)
        self.men_weights = _zipf(self.men)
        self.surnames = list(SURNAME_NAMES)

    def woman_name(self) -> str:
        return self.rng.choices(self.women, self.women_weights)[0]

    def man_name(self) -> str:
        return self.rng.choices(self.men, self.men_weights)[0]

    def mobile(self) -> str:
        return f"{self.rng.choice('6789')}{self.rng.randrange(10**9):09d}"

    def aadhaar(self) -> str:
        body = f"{self.rng.randint(2, 9)}{self.rng.randrange(10**10):010d}"
        return body + check_digit(body)

    def account(self) -> tuple[str, str]:
        return f"SBIN0{self.rng.randrange(10**6):06d}", f"{self.rng.randrange(10**11):011d}"

    def birth(self, low: int = 20, high: int = 60) -> date:
        days = self.rng.randint(low * 365, high * 365)
        return _AS_OF - timedelta(days=days)

    def shg(self, place: Place) -> str:
        return f"SHG-{place.village[3:]}{self.rng.randint(1, 8)}"


def _household(world: _World) -> list[Woman]:
    """One household's women: most alone, some with an in-law, a sister or a daughter."""
    rng = world.rng
    place = rng.choice(world.places)
    surname = rng.choice(world.surnames)
    mobile = world.mobile() if rng.random() < 0.75 else ""
    account = world.account() if rng.random() < 0.6 else ("", "")
    husband = f"{world.man_name()} {surname}" if rng.random() < 0.5 else world.man_name()

    taken: set[str] = set()

    def woman(relative: str, relation: str, birth: date, style: str, **extra: str) -> Woman:
        given = world.woman_name()
        while given in taken:  # a family does not give two women one name
            given = world.woman_name()
        taken.add(given)
        own_account = account if extra.get("shares_bank") else world.account()
        has_bank = rng.random() < 0.6
        return Woman(
            given=given,
            style=style,
            surname=surname,
            relative=relative,
            relation=relation,
            birth=birth,
            age_only=rng.random() < 0.4,
            mobile=mobile if rng.random() < 0.9 else "",
            aadhaar=world.aadhaar() if rng.random() < 0.5 else "",
            bank_ifsc=own_account[0] if has_bank else "",
            bank_account=own_account[1] if has_bank else "",
            category=rng.choice(_CATEGORIES),
            place=place,
            shg=world.shg(place),
        )

    styles = ("devi", "surname", "plain")
    first = woman(husband, "husband", world.birth(), rng.choices(styles, (5, 3, 2))[0])
    kind = rng.random()
    if kind < 0.10:  # mother-in-law and daughter-in-law, one phone, sometimes one account
        son = f"{world.man_name()} {surname}"
        young = woman(son, "husband", world.birth(18, 35), first.style, shares_bank="1")
        older = replace(first, birth=world.birth(45, 70))
        return [older, young]
    if kind < 0.15:  # sisters, unmarried, their father's daughters
        father = f"{world.man_name()} {surname}"
        year = world.birth(18, 30)
        sister = woman(father, "father", year, "kumari")
        other = woman(father, "father", year - timedelta(days=rng.randint(300, 900)), "kumari")
        return [sister, other]
    if kind < 0.20:  # mother and daughter
        daughter = woman(husband, "father", world.birth(18, 25), "kumari", shares_bank="1")
        return [replace(first, birth=world.birth(40, 60)), daughter]
    return [first]


def _spell(rng: random.Random, text: str) -> str:
    for _ in range(10):
        written, other = rng.choice(_SPELLINGS)
        if written in text.lower():
            index = text.lower().index(written)
            swapped = text[:index] + other + text[index + len(written) :]
            return swapped[0].upper() + swapped[1:] if text[0].isupper() else swapped
    return text


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    choice = rng.random()
    if choice < 0.4:
        return text[:i] + text[i + 1 :]
    if choice < 0.7:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeioumnrst") + text[i + 1 :]


def _written_name(woman: Woman) -> str:
    if woman.style == "devi":
        return f"{woman.given} Devi"
    if woman.style == "surname":
        return f"{woman.given} {woman.surname}"
    if woman.style == "kumari":
        return f"{woman.given} Kumari"
    return woman.given


def _row(ref: str, woman: Woman, name: str | None = None) -> dict[str, str]:
    p = woman.place
    return {
        "member_ref": ref,
        "state_code": p.state,
        "district_code": p.district,
        "block_code": p.block,
        "gp_code": p.gp,
        "village_code": p.village,
        "shg_code": woman.shg,
        "name": name or _written_name(woman),
        "relative_name": woman.relative,
        "relation": woman.relation,
        "gender": "F",
        "birth_date": "" if woman.age_only else woman.birth.isoformat(),
        "birth_year": str(woman.birth.year) if woman.age_only else "",
        "mobile": woman.mobile,
        "aadhaar": woman.aadhaar,
        "bank_ifsc": woman.bank_ifsc,
        "bank_account": woman.bank_account,
        "social_category": woman.category,
    }


def _to_devanagari(text: str) -> str | None:
    words = []
    for word in text.split():
        devanagari = (
            WOMEN_NAMES.get(word)
            or MEN_NAMES.get(word)
            or SURNAME_NAMES.get(word)
            or {"Devi": "देवी", "Kumari": "कुमारी"}.get(word)
        )
        if devanagari is None:
            return None
        words.append(devanagari)
    return " ".join(words)


def _duplicate(world: _World, woman: Woman) -> tuple[Woman, str, str]:
    """The same woman enrolled again: (her second record, the name written, what changed)."""
    rng = world.rng
    changes = []
    place, shg = woman.place, world.shg(woman.place)
    relative, relation, style = woman.relative, woman.relation, woman.style
    move = rng.random()
    if move < 0.15 and relation == "father":  # married into another district
        others = [p for p in world.places if p.district_index != place.district_index]
        place = rng.choice(others)
        relative, relation, style = f"{world.man_name()} {woman.surname}", "husband", "devi"
        changes.append("married-away")
    elif move < 0.35:
        block = [p for p in world.places if p.block == place.block]
        place = rng.choice(block)
        changes.append("nearby")
    shg = world.shg(place)
    twin = replace(woman, place=place, shg=shg, relative=relative, relation=relation, style=style)
    name = _written_name(twin)
    variant = rng.random()
    if variant < 0.25:
        devanagari = _to_devanagari(name)
        if devanagari:
            name = devanagari
            changes.append("devanagari")
    elif variant < 0.65:
        name = _spell(rng, name)
        changes.append("spelling")
    elif variant < 0.75:
        given, _, rest = name.partition(" ")
        name = f"{_typo(rng, given)} {rest}".strip()
        changes.append("typo")
    elif variant < 0.85:
        name = f"Smt. {name} W/o {relative}" if relation == "husband" else f"{name} D/o {relative}"
        twin = replace(twin, relative="")
        changes.append("relative-in-name")
    if rng.random() < 0.3 and twin.relative:
        twin = replace(twin, relative=_spell(rng, twin.relative))
        changes.append("relative-spelling")
    if rng.random() < 0.35:
        shift = timedelta(days=rng.choice((-400, -200, 0, 200, 400)))
        twin = replace(twin, age_only=True, birth=twin.birth + shift)
        changes.append("age")
    if rng.random() < 0.3:
        twin = replace(twin, mobile=world.mobile() if rng.random() < 0.6 else "")
        changes.append("mobile")
    if rng.random() < 0.5:
        twin = replace(twin, bank_ifsc="", bank_account="")
    if twin.aadhaar and rng.random() < 0.7:
        twin = replace(twin, aadhaar="")
    return twin, name, "+".join(changes) or "same"


def synthesise(
    members: int, *, dup_rate: float, seed: int
) -> tuple[list[dict[str, str]], list[tuple[str, str, str]]]:
    """All rows in memory: for tests and small files. :func:`write_synthetic` streams."""
    rows: list[dict[str, str]] = []
    truth: list[tuple[str, str, str]] = []
    for row, pair in _generate(members, dup_rate, seed):
        rows.append(row)
        if pair:
            truth.append(pair)
    return rows, truth


def _generate(
    members: int, dup_rate: float, seed: int
) -> Iterator[tuple[dict[str, str], tuple[str, str, str] | None]]:
    rng = random.Random(seed)
    world = _World(members, rng)
    duplicates = round(members * dup_rate)
    originals = members - duplicates
    # Earlier women a duplicate can copy; a bounded reservoir keeps memory flat.
    reservoir: list[tuple[str, Woman]] = []
    made = dups = 0
    while made + dups < members:
        if dups < duplicates and reservoir and rng.random() < duplicates / members * 1.5:
            ref_a, woman = rng.choice(reservoir)
            twin, name, kind = _duplicate(world, woman)
            ref = f"M{made + dups + 1:08d}"
            dups += 1
            yield _row(ref, twin, name), (ref_a, ref, kind)
            continue
        if made >= originals:
            continue
        for woman in _household(world):
            if made >= originals:
                break
            ref = f"M{made + dups + 1:08d}"
            made += 1
            if len(reservoir) < 50_000:
                reservoir.append((ref, woman))
            else:
                reservoir[rng.randrange(len(reservoir))] = (ref, woman)
            yield _row(ref, woman), None


def write_synthetic(
    members: int, dup_rate: float, seed: int, output: Path, truth: Path
) -> Iterator[int]:
    """Write the CSV and the truth file, yielding after each row (for a progress bar)."""
    with (
        output.open("w", newline="", encoding="utf-8") as out,
        truth.open("w", newline="", encoding="utf-8") as truth_out,
    ):
        rows = csv.DictWriter(out, COLUMNS)
        rows.writeheader()
        pairs = csv.writer(truth_out)
        pairs.writerow(TRUTH_COLUMNS)
        for count, (row, pair) in enumerate(_generate(members, dup_rate, seed), 1):
            rows.writerow(row)
            if pair:
                pairs.writerow(pair)
            yield count
