"""The one error type the domain raises for bad input, with stable codes.

Domain services raise :class:`DomainError`; the API turns it into a GraphQL
``UserError`` in the mutation payload. Messages must never echo personal data
back (no names, numbers or identity digits): they say what was wrong with the
field, not what it held.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


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
    # A member held at enrolment for a duplicate review: she may not act until cleared.
    PENDING_REVIEW = "pending_review"
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


class InputErrors(DomainError):
    """Several refusals of one input, reported together so that every field at fault is
    named in one round trip. It reads as its first refusal to code that expects one."""

    def __init__(self, errors: Sequence[DomainError]) -> None:
        first = errors[0]
        super().__init__(first.code, first.field, first.message)
        self.errors = tuple(errors)


def refusals_of(error: DomainError) -> tuple[DomainError, ...]:
    return error.errors if isinstance(error, InputErrors) else (error,)


class Refusals:
    """Runs independent checks of one input and raises all their refusals at once.

    >>> refusals = Refusals()
    >>> name = refusals.check(clean_name, raw_name, "name")
    >>> mobile = refusals.check(clean_mobile, raw_mobile)
    >>> refusals.raise_any()   # InputErrors naming both fields, if both are bad
    """

    def __init__(self) -> None:
        self.found: list[DomainError] = []

    def check(self, check: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """The check's result, or None when it refused (the refusal is kept)."""
        try:
            return check(*args, **kwargs)
        except DomainError as error:
            self.found.extend(refusals_of(error))
            return None

    def add(self, error: DomainError) -> None:
        self.found.append(error)

    def raise_any(self) -> None:
        if len(self.found) == 1:
            raise self.found[0]
        if self.found:
            raise InputErrors(self.found)
