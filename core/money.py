"""The one money type: integer paise. Rupee text is parsed and printed here only.

>>> parse_rupees("1250.5", "amount")
125050
>>> format_rupees(125050)
'1250.50'
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from core.errors import DomainError, ErrorCode

# Far above any SHG or federation transaction, far below 2^63 paise.
MAX_PAISE = 10**15


def parse_rupees(text: str, field: str) -> int:
    """Rupees as written ("1250", "1250.5", "1250.50") to paise; refuses fractions of a paisa."""
    try:
        amount = Decimal(text.strip().replace(",", ""))
    except (InvalidOperation, AttributeError) as exc:
        raise DomainError(
            ErrorCode.INVALID, field, "Write the amount in rupees, like 1250.50"
        ) from exc
    if not amount.is_finite():
        raise DomainError(ErrorCode.INVALID, field, "Write the amount in rupees, like 1250.50")
    paise = amount * 100
    if paise != paise.to_integral_value():
        raise DomainError(ErrorCode.INVALID, field, "Amounts go no finer than one paisa")
    return check_paise(int(paise), field)


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
