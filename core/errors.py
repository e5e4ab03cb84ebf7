"""The one error type the domain raises for bad input, with stable codes.

Domain services raise :class:`DomainError`; the API turns it into a GraphQL
``UserError`` in the mutation payload. Messages must never echo personal data
back (no names, numbers or identity digits): they say what was wrong with the
field, not what it held.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable codes clients branch on. Add new ones; never rename."""

    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    DUPLICATE = "duplicate"
    FORBIDDEN = "forbidden"
    SELF_APPROVAL = "self_approval"
    INVALID_STATE = "invalid_state"
    OUTSIDE_PARENT = "outside_parent"
    HAS_ACTIVE_CHILDREN = "has_active_children"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    ALREADY_ENROLLED = "already_enrolled"
    UNBALANCED = "unbalanced"
    LIKELY_DUPLICATE = "likely_duplicate"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    # Money still between a member and her SHG (savings, a loan, a pending voucher) when
    # she would exit or transfer.
    UNSETTLED = "unsettled"


class DomainError(Exception):
    """A rule of the domain refused the request; nothing was written.

    >>> raise DomainError(ErrorCode.NOT_FOUND, "shgCode", "No SHG with this code")
    """

    def __init__(self, code: ErrorCode, field: str | None, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message

    def __repr__(self) -> str:
        return f"DomainError({self.code.value!r}, {self.field!r}, {self.message!r})"
