"""Running the Alembic migrations from code (``lokos serve``, ``lokos migrate``, tests).

The migrations live in ``alembic/`` at the top of the source tree. A wheel
installs that folder as ``lokos_migrations`` (pyproject.toml maps it: a
package named ``alembic`` would hide the library), so an installed ``lokos``
migrates without a checkout.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

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


def script_location() -> Path:
    """The migrations folder: the source tree's, else the one a wheel installed."""
    source = PROJECT_ROOT / "alembic"
    if (source / "env.py").is_file() and (source / "versions").is_dir():
        return source
    spec = importlib.util.find_spec("lokos_migrations")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The lokos migrations are not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def alembic_config() -> Config:
    """Settings in code, not alembic.ini, which only a checkout has (the database URL comes
    from LOKOS_DATABASE_URL, never from a file)."""
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.set_main_option("path_separator", "os")
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database at ``engine`` up to ``revision``."""
    await _migrate(engine, command.upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Take the database at ``engine`` back to ``revision`` (a rollback; tests of migrations)."""
    await _migrate(engine, command.downgrade, revision)


async def _migrate(engine: AsyncEngine, step: Callable[[Config, str], None], revision: str) -> None:
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        step(config, revision)

    async with engine.connect() as plain:
        sqlite = plain.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by rebuilding it (Alembic's batch mode), and with
            # foreign keys enforced, dropping the old table fails once rows refer to it.
            # SQLite's own procedure: enforcement off outside the transaction, every
            # reference checked before the commit, enforcement back on.
            await _sqlite_foreign_keys(plain, enforced=False)
        try:
            # A writing unit of work: on SQLite the whole migration is one transaction.
            connection = await plain.execution_options(**{WRITES: True})
            async with connection.begin():
                await connection.run_sync(run)
                if sqlite:
                    broken = await connection.exec_driver_sql("PRAGMA foreign_key_check")
                    if broken.first() is not None:
                        raise RuntimeError("The migration left rows referring to none")
        finally:
            if sqlite:
                await _sqlite_foreign_keys(plain, enforced=True)


async def _sqlite_foreign_keys(connection: AsyncConnection, *, enforced: bool) -> None:
    # Outside any transaction: inside one, SQLite ignores the pragma. (Execution options
    # stay on a connection: the migration's own would open this with BEGIN IMMEDIATE.)
    await connection.execution_options(**{WRITES: False})
    await connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if enforced else 'OFF'}")
    await connection.commit()
