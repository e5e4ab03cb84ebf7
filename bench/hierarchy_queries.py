"""Latency of the hierarchy's read paths through the whole API (auth, GraphQL, SQL).

Seeds N demo members into a fresh database, then times, in-process over ASGI:
- the nested block query: a block, its VOs (first 10), their SHGs (first 20), member counts;
- a members page: `members(first: 50)` at a cursor deep into the table, national scope;
- the same members page for a block-scoped caller.

    python bench/hierarchy_queries.py --backend sqlite --members 100000
    python bench/hierarchy_queries.py --backend postgresql --members 100000

Prints a Markdown table row per case (median and p99 in ms) for bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import func, select

from api.app import create_app, settle_heap
from api.auth import mint_token
from api.pagination import encode_cursor
from core.access import Role
from core.database import create_engine, session_factory
from core.migrations import upgrade
from core.settings import Environment, Settings
from hierarchy.demo import seed_demo
from hierarchy.models import GeoLevel, GeoUnit, Member

NESTED = """query($block: String!) { geoUnit(code: $block) { name shgCount memberCount
  vos(first: 10) { totalCount edges { node { code name
    shgs(first: 20) { totalCount edges { node { code name memberCount } } } } } } } }"""
MEMBERS = """query($after: String) { members(first: 50, after: $after) {
  pageInfo { endCursor hasNextPage }
  edges { node { memberId name relativeName shg { code } } } } }"""


def _percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _time(
    client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any], runs: int
) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(5):  # warm caches and the connection pool
        await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        samples.append((time.perf_counter() - start) * 1000)
        body = response.json()
        assert "errors" not in body, body
    return samples


async def run(backend: str, members: int, runs: int, postgres: str) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="lokos-bench-"))
    database = None
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    else:
        database = f"lokos_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(postgres)
        await admin.execute(f'CREATE DATABASE "{database}"')
        await admin.close()
        url = (
            postgres.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
            + f"/{database}"
        )
    engine = create_engine(url)
    try:
        await upgrade(engine)
        started = time.perf_counter()
        await seed_demo(session_factory(engine), members=members, seed=1)
        seeded = time.perf_counter() - started
        if backend == "postgresql":
            async with engine.begin() as connection:
                await connection.exec_driver_sql("ANALYZE")
        async with session_factory(engine)() as session:
            block = await session.scalar(
                select(GeoUnit).where(GeoUnit.level == GeoLevel.BLOCK).limit(1)
            )
            total = await session.scalar(select(func.count()).select_from(Member))
            assert block is not None
            deep_id = await session.scalar(
                select(Member.id).offset(int(total or 0) * 9 // 10).limit(1)
            )
            block_deep = await session.scalar(
                select(Member.id)
                .where(Member.block_id == block.id)
                .order_by(Member.id)
                .offset(500)
                .limit(1)
            )
        settings = Settings(env=Environment.TEST, database_url=url, config_dir=workdir / "config")
        app = create_app(settings, engine)
        settle_heap()  # what the app's lifespan does at start-up (ASGITransport skips lifespan)
        national = mint_token(settings, subject="bench", role=Role.ANALYST)
        scoped = mint_token(settings, subject="bench", role=Role.ANALYST, scope=block.code)
        cases = [
            ("nested block → VOs → SHGs → member counts", national, NESTED, {"block": block.code}),
            ("members page (50), first page, national", national, MEMBERS, {"after": None}),
            (
                "members page (50) at 90% depth, national",
                national,
                MEMBERS,
                {"after": encode_cursor(int(deep_id or 0))},
            ),
            (
                "members page (50) deep in a block, block scope",
                scoped,
                MEMBERS,
                {"after": encode_cursor(int(block_deep or 0))},
            ),
        ]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            print(f"\n{backend}: {total} members seeded in {seeded:.1f} s; {runs} runs per case")
            print("| backend | case | median ms | p99 ms |")
            print("|---|---|---|---|")
            for name, token, query, variables in cases:
                samples = await _time(client, token, query, variables, runs)
                median, p99 = statistics.median(samples), _percentile(samples, 99)
                print(f"| {backend} | {name} | {median:.1f} | {p99:.1f} |")
    finally:
        await engine.dispose()
        if database is not None:
            admin = await asyncpg.connect(postgres)
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    asyncio.run(run(args.backend, args.members, args.runs, args.postgres))


if __name__ == "__main__":
    main()
