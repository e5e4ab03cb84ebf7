"""Who is asking, and how far they can see: roles, scopes and principals.

A scope is one unit of the geography or the CBO hierarchy (or the whole
country). Every table carries the ids of all its ancestors, so "inside the
scope" is one indexed equality on the matching ancestor column; this module is
the only place that builds that condition.

>>> block = Scope(column="block_id", unit_id=42, code="BL-881")
>>> select(Member).where(block.clause(Member))   # WHERE member.block_id = 42
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, false, true

from core.errors import DomainError, ErrorCode


class Role(StrEnum):
    ADMIN = "admin"
    BOOKKEEPER = "bookkeeper"
    APPROVER = "approver"
    REVIEWER = "reviewer"
    ANALYST = "analyst"
    PARTNER = "partner"


# Roles that may read the hierarchy's records. Partners see only the answers
# of their own scheme (eligibility), never the registers themselves.
READER_ROLES = frozenset(Role) - {Role.PARTNER}


@dataclass(frozen=True)
class Scope:
    """One unit (the ancestor column that names it and its id), or national."""

    column: str | None = None
    unit_id: int | None = None
    code: str | None = None

    @property
    def is_national(self) -> bool:
        return self.column is None

    def clause(self, model: Any) -> ColumnElement[bool]:
        """The WHERE condition that keeps ``model`` rows inside this scope.

        A table without the scope's ancestor column (geo units, for a CBO
        scope) has nothing inside it.
        """
        if self.column is None:
            return true()
        column = getattr(model, self.column, None)
        if column is None:
            return false()
        result: ColumnElement[bool] = column == self.unit_id
        return result

    def contains(self, row: object) -> bool:
        """Whether an already loaded row lies inside this scope."""
        if self.column is None:
            return True
        return getattr(row, self.column, None) == self.unit_id


NATIONAL = Scope()


# The longest subject a principal may have: the audit and maker/checker columns hold 128.
MAX_SUBJECT_LENGTH = 128


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: subject, role and scope from a verified token."""

    subject: str
    role: Role
    scope: Scope

    @property
    def can_read(self) -> bool:
        return self.role in READER_ROLES

    @property
    def read_scope(self) -> Scope | None:
        """The scope this caller reads the registers in; ``None`` when it reads none."""
        return self.scope if self.can_read else None

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            allowed = ", ".join(sorted(r.value for r in roles))
            raise DomainError(ErrorCode.FORBIDDEN, None, f"This needs one of the roles: {allowed}")
