"""The one money type: integer paise. Rupee text is parsed and printed here only.

>>> parse_rupees("1250.5", "amount")
125050
>>> format_rupees(125050)
'1250.50'

Rupee text is read by a bounded grammar (digits, Indian or Western comma
grouping, at most two decimals), never by ``Decimal`` on whatever arrived:
``Decimal("1e900000")`` is eight characters, and turning it into paise builds
a 900,000-digit integer that held the event loop for tens of seconds.
"""

from __future__ import annotations

import re

from core.errors import DomainError, ErrorCode

# Far above any SHG or federation transaction, far below 2^63 paise.
MAX_PAISE = 10**15

# Longest rupee text worth reading: 10^13 rupees (MAX_PAISE) with commas every
# two digits, a sign and two decimals is 25 characters.
MAX_RUPEE_TEXT = 32

_RUPEES = re.compile(r"(?P<sign>-?)(?P<whole>[0-9][0-9,]*)(?:\.(?P<fraction>[0-9]+))?")


def parse_rupees(text: str, field: str) -> int:
    """Rupees as written ("1250", "1250.5", "1250.50", "1,25,000") to paise.

    Refuses fractions of a paisa, exponents, NaN and infinities.
    """
    if not isinstance(text, str) or len(text) > MAX_RUPEE_TEXT:
        raise DomainError(ErrorCode.INVALID, field, "Write the amount in rupees, like 1250.50")
    written = _RUPEES.fullmatch(text.strip())
    if written is None:
        raise DomainError(ErrorCode.INVALID, field, "Write the amount in rupees, like 1250.50")
    if written["sign"]:
        raise DomainError(ErrorCode.INVALID, field, "Amounts cannot be negative")
    fraction = (written["fraction"] or "").rstrip("0")
    if len(fraction) > 2:
        raise DomainError(ErrorCode.INVALID, field, "Amounts go no finer than one paisa")
    whole = written["whole"].replace(",", "")
    return check_paise(int(whole) * 100 + int(fraction.ljust(2, "0")), field)


def check_paise(paise: int, field: str) -> int:
    if paise < 0:
        raise DomainError(ErrorCode.INVALID, field, "Amounts cannot be negative")
    if paise > MAX_PAISE:
        raise DomainError(ErrorCode.INVALID, field, "This amount is beyond any real transaction")
    return paise


def format_rupees(paise: int) -> str:
    sign = "-" if paise < 0 else ""
    whole, part = divmod(abs(paise), 100)
    return f"{sign}{whole}.{part:02d}"
