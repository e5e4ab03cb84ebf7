"""Enrolment throughput and latency through the whole API, into a populated database.

Seeds N demo members (about 60% with an Aadhaar in the registry) and gives
them their blocking keys, then runs `enrollMember` with fresh valid Aadhaar
and bank numbers:
- one at a time, for latency (p50, p99);
- with C concurrent clients, for throughput (enrolments per second).

Each new woman joins the SHG of a member drawn at random, under the name of
another drawn member and the relative's name of a third, so the duplicate
check finds the candidate blocks a real enrolment finds: the same common
names in the same village. The verdicts are counted, not assumed.

    python bench/enrolment.py --backend postgresql --members 1000000 --database lokos_bench_1m

``--database`` keeps the seeded PostgreSQL database for the next run (seeding
a million members takes a while) and reuses it when it exists.

Prints Markdown rows for bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import func, select

from api.app import create_app, settle_heap
from api.auth import mint_token
from core.access import Role
from core.database import create_engine, session_factory
from core.migrations import upgrade
from core.settings import Environment, Settings
from dedup.sweep import index_members
from hierarchy.demo import seed_demo
from hierarchy.models import Cbo, Member
from identity.tokens import keyring_from_settings
from identity.verhoeff import check_digit

ENROL = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) {
  member { memberId } verdict errors { code field } } }"""


def _aadhaar(serial: int) -> str:
    body = f"9{serial:010d}"
    return body + check_digit(body)


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(
    backend: str,
    members: int,
    sequential: int,
    concurrent: int,
    clients: int,
    postgres: str,
    keep: str | None,
) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="lokos-bench-"))
    config = Path(tempfile.gettempdir()) / f"lokos-bench-config-{keep}" if keep else workdir
    database = None
    fresh = True
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    else:
        database = keep or f"lokos_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(postgres)
        fresh = not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if fresh:
            await admin.execute(f'CREATE DATABASE "{database}"')
        await admin.close()
        base = postgres.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        url = f"{base}/{database}"
    # The Aadhaar keyring lives in the config directory: a reused database
    # needs the same one, or its tokens would not match new enrolments'.
    settings = Settings(env=Environment.TEST, database_url=url, config_dir=config / "config")
    engine = create_engine(url)
    try:
        await upgrade(engine)
        if fresh:
            start = time.perf_counter()
            await seed_demo(
                session_factory(engine),
                members=members,
                seed=1,
                keyring=keyring_from_settings(settings),
            )
            seeded = time.perf_counter()
            keyed = await index_members(session_factory(engine), batch=5000)
            print(
                f"seeded {members} members in {seeded - start:.0f} s; "
                f"keyed {keyed} in {time.perf_counter() - seeded:.0f} s"
            )
            if backend == "postgresql":
                async with engine.begin() as connection:
                    await connection.exec_driver_sql("ANALYZE")
        async with session_factory(engine)() as session:
            drawn = (
                await session.execute(
                    select(Cbo.code, Member.name, Member.relative_name)
                    .join(Cbo, Cbo.id == Member.shg_id)
                    .where(Member.id % 97 == 0)
                    .limit(5000)
                )
            ).all()
        rng = random.Random(5)
        verdicts: Counter[str] = Counter()
        app = create_app(settings, engine)
        settle_heap()
        token = mint_token(settings, subject="bench", role=Role.BOOKKEEPER)
        headers = {"Authorization": f"Bearer {token}"}
        async with session_factory(engine)() as session:
            # A reused database already holds earlier runs' numbers.
            serial = int(await session.scalar(select(func.max(Member.id))) or 0)

        async def enrol(client: httpx.AsyncClient) -> float:
            nonlocal serial
            serial += 1
            n = serial
            shg = rng.choice(drawn).code
            body = {
                "query": ENROL,
                "variables": {
                    "input": {
                        "shgCode": shg,
                        "name": rng.choice(drawn).name,
                        "gender": "F",
                        "relativeName": rng.choice(drawn).relative_name,
                        "relation": "HUSBAND",
                        "birthYear": rng.randint(1960, 2005),
                        "mobile": f"9{n:09d}",
                        "aadhaar": _aadhaar(n),
                        "bankIfsc": "SBIN0001234",
                        "bankAccount": f"{10**10 + n}",
                    }
                },
            }
            start = time.perf_counter()
            response = await client.post("/graphql", json=body, headers=headers)
            elapsed = (time.perf_counter() - start) * 1000
            result = response.json()["data"]["enrollMember"]
            verdicts[result["verdict"]] += 1
            return elapsed

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _ in range(10):
                await enrol(client)
            latencies = [await enrol(client) for _ in range(sequential)]
            remaining = concurrent

            async def worker() -> None:
                nonlocal remaining
                while remaining > 0:
                    remaining -= 1
                    await enrol(client)

            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(clients)))
            wall = time.perf_counter() - start
        async with session_factory(engine)() as session:
            total = await session.scalar(select(func.count()).select_from(Member))
        print(f"\n{backend}: {total} members after the run (seeded {members})")
        print(f"verdicts: {dict(verdicts)}")
        print("| backend | case | result |")
        print("|---|---|---|")
        print(
            f"| {backend} | one at a time, {sequential} enrolments | p50 "
            f"{statistics.median(latencies):.1f} ms, p99 {_pct(latencies, 99):.1f} ms |"
        )
        print(
            f"| {backend} | {clients} concurrent clients, {concurrent} enrolments | "
            f"{concurrent / wall:.0f} enrolments/s |"
        )
    finally:
        await engine.dispose()
        if database is not None and keep is None:
            admin = await asyncpg.connect(postgres)
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--sequential", type=int, default=500)
    parser.add_argument("--concurrent", type=int, default=2_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", help="PostgreSQL database to keep and reuse")
    args = parser.parse_args()
    asyncio.run(
        run(
            args.backend,
            args.members,
            args.sequential,
            args.concurrent,
            args.clients,
            args.postgres,
            args.database,
        )
    )


if __name__ == "__main__":
    main()
