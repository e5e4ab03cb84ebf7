"""Fixtures shared by the whole suite: one suite, every backend.

Each test that takes ``engine`` (or anything built on it) runs twice: on
SQLite and on PostgreSQL. PostgreSQL is the server at
``LOKOS_TEST_POSTGRES_URL`` (default: 127.0.0.1:5432, user postgres); each
run migrates a database of its own and drops it at the end. Without a
reachable server the PostgreSQL half is skipped with a plain message, except
under CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.auth import mint_token
from core.access import Role
from core.database import Base, create_engine, session_factory
from core.migrations import target_metadata_modules, upgrade
from core.settings import Environment, Settings
from tests.world import TEST_IDENTITY_KEYS

POSTGRES_ADMIN_URL = os.environ.get(
    "LOKOS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
_postgres_problem: list[str] = []


async def _postgres_reachable() -> str | None:
    try:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        return f"{type(error).__name__}: {error}"
    await connection.close()
    return None


def _async_url(url: str, database: str) -> str:
    base = url.rsplit("/", 1)[0]
    return base.replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{database}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A freshly migrated PostgreSQL database for this test run."""
    problem = asyncio.run(_postgres_reachable())
    if problem is not None:
        message = f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable ({problem})"
        if IN_CI:
            pytest.fail(f"{message}; CI requires the PostgreSQL half", pytrace=False)
        _postgres_problem.append(message)
        pytest.skip(f"{message}: the PostgreSQL half did not run")
    name = f"lokos_test_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = _async_url(POSTGRES_ADMIN_URL, name)
    asyncio.run(_migrate(url))
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies, so migrations run once per session."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    template: Path = request.getfixturevalue("sqlite_template")
    path = tmp_path / "lokos.db"
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def engine(database_url: str, backend: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    if backend == "postgresql":
        target_metadata_modules()
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> Any:
    return session_factory(engine)


@pytest.fixture(scope="session")
def config_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("config")


@pytest.fixture
def settings(database_url: str, config_dir: Path) -> Settings:
    return Settings(
        env=Environment.TEST,
        database_url=database_url,
        config_dir=config_dir,
        identity_keys=TEST_IDENTITY_KEYS,
    )


@dataclass
class Api:
    """A GraphQL client over the real ASGI app, with tokens minted for any role and scope."""

    client: httpx.AsyncClient
    settings: Settings

    def token(self, role: Role = Role.ADMIN, scope: str = "", subject: str | None = None) -> str:
        return mint_token(
            self.settings,
            subject=subject or f"{role.value}-{scope or 'national'}",
            role=role,
            scope=scope,
        )

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def query(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        role: Role = Role.ADMIN,
        scope: str = "",
        subject: str | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        """Run an operation that must succeed; returns ``data``."""
        response = await self.post(
            query, variables, token=token or self.token(role, scope, subject)
        )
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
async def api(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Api]:
    app = create_app(settings, engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield Api(client=client, settings=settings)


@pytest.fixture
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every SQL query the engine runs during the test, in order."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # Transaction control is not a query (SQLite's BEGIN is sent as a statement).
        if statement.split(None, 1)[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine.sync_engine, "before_cursor_execute", record)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _postgres_problem:
        terminalreporter.write_line(
            f"NOTE: the PostgreSQL half did not run: {_postgres_problem[0]}", yellow=True, bold=True
        )
