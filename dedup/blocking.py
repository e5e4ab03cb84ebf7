"""Blocking keys: which records are worth comparing at all.

Each key is a short string stored with the member at write time and
indexed, so an enrolment finds her candidates with an index lookup whose
cost depends on how many women share a key, never on the national total.
Every name key carries a place or a full birth date, so even "Sunita" is a
village-sized block.

| key  | made of | catches |
|------|---------|---------|
| `gv` | given-name code + village | the same woman enrolled twice in her village |
| `gr` | given-name code + relative's code + block | age and birth date disagree |
| `ry` | relation + relative's code + birth year + block | a typo in her own name |
| `rv` | relation + relative's code + village | a typo in her name and only her age known |
| `gd` | given-name code + full birth date | she moved district after marriage |
| `gy` | given-name code + birth year + block | a new SHG in a neighbouring village |
| `m`  | mobile | a changed name, same phone |
| `b`  | bank token | a changed name, same account |
| `a`  | Aadhaar token (batch only; online the registry holds it) | exact |
"""

from __future__ import annotations

from dedup.person import Person

# A key shared by more records than this is a household or SHG phone typed
# for everyone, not evidence; its block is skipped and reported.
MAX_BLOCK = 500


def _relations(person: Person) -> tuple[str, ...]:
    """Her relation's initial; both common ones when it is not recorded.

    The relative-led keys are only worth comparing within one relation: the
    wives of the Rameshes of a village are not his daughters. One woman
    enrolled twice in one village names the same relation both times (a
    bride who marries away changes village too, and other keys find her).
    """
    return (person.relation[0],) if person.relation else ("h", "f")


def blocking_keys(person: Person, *, with_aadhaar: bool = False) -> list[str]:
    code = person.given_key
    keys = [f"gv:{code}:{person.village}"]
    if person.relative_key:
        keys.append(f"gr:{code}:{person.relative_key}:{person.block}")
        for r in _relations(person):
            keys.append(f"rv{r}:{person.relative_key}:{person.village}")
            if person.year:
                keys.append(f"ry{r}:{person.relative_key}:{person.year}:{person.block}")
    if person.birth_date:
        keys.append(f"gd:{code}:{person.birth_date.isoformat()}")
    if person.year:
        keys.append(f"gy:{code}:{person.year}:{person.block}")
    if person.mobile:
        keys.append(f"m:{person.mobile}")
    if person.bank:
        keys.append(f"b:{person.bank}")
    if with_aadhaar and person.aadhaar:
        keys.append(f"a:{person.aadhaar}")
    return keys
