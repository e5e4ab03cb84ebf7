"""Running the Alembic migrations from code (``lokos serve``, ``lokos migrate``, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from core.database import WRITES

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def target_metadata_modules() -> None:
    """Import every module that defines tables, so Base.metadata knows them all."""
    import core.audit
    import core.idempotency  # noqa: F401
    import dedup.models  # noqa: F401
    import hierarchy.models  # noqa: F401
    import identity.models  # noqa: F401
    import ledger.models  # noqa: F401


def alembic_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database at ``engine`` up to ``revision``."""

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.connect() as plain:
        # A writing unit of work: on SQLite the whole migration is one transaction.
        connection = await plain.execution_options(**{WRITES: True})
        async with connection.begin():
            await connection.run_sync(run)
