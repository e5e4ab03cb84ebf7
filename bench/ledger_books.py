"""The books at scale: posting throughput, and reads that must not slow as history grows.

Seeds demo members, then bulk-loads N approved savings vouchers (two lines
each, balances kept consistent) across all SHGs, plus one SHG with ten years
of weekly meetings (520 savings vouchers, a line per member each) and one
SHG with a single year (52). Then, through the whole API:
- record + approve pairs from C concurrent clients: vouchers posted per second
  and p50/p99 of each call;
- `passbook` and `trialBalance` p50/p99 for the ten-year SHG and the one-year
  SHG (the ratio shows whether history slows them).

    python bench/ledger_books.py --vouchers 1000000

With ``--processes K`` the record + approve load goes over HTTP to K
separate ``lokos serve`` processes on one database (clients spread across
them, as a load balancer would), to show what more API processes buy;
``--database NAME`` keeps the seeded database and reuses it next time.

PostgreSQL only (the production store). Prints Markdown rows for bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import func, insert, select

from api.app import create_app, settle_heap
from api.auth import mint_token
from core.access import Role
from core.database import create_engine, session_factory, transaction
from core.migrations import upgrade
from core.settings import Environment, Settings
from hierarchy.demo import seed_demo
from hierarchy.models import Cbo, CboKind, Member
from ledger.models import LEDGER_ANCESTORS, LedgerBalance, Voucher, VoucherLine, VoucherStatus

BATCH = 10_000
RECORD = """mutation($input: RecordVoucherInput!) { recordVoucher(input: $input) {
  voucher { id } errors { code } } }"""
APPROVE = """mutation($id: ID!) { approveVoucher(input: {voucherId: $id}) { errors { code } } }"""
PASSBOOK = """query($m: String!) { passbook(memberId: $m, last: 50) {
  balances { account balance } entries { voucherDate credit balance } } }"""
TRIAL = """query($c: String!) { trialBalance(cboCode: $c) { balanced lines { account debit credit } } }"""


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Loader:
    """Bulk-inserts approved vouchers and keeps the balances they imply."""

    def __init__(self) -> None:
        self.balances: dict[tuple[int, str, int], int] = defaultdict(int)
        self.district: dict[int, int] = {}

    async def load(
        self, session: Any, shg: Cbo, day: date, lines: list[tuple[str, int, int]]
    ) -> None:
        await self.load_many(session, [(shg, day, lines)])

    async def load_many(
        self, session: Any, batch: list[tuple[Cbo, date, list[tuple[str, int, int]]]]
    ) -> None:
        vouchers = []
        for shg, day, lines in batch:
            row = {column: getattr(shg, column) for column in LEDGER_ANCESTORS}
            row.update(
                cbo_id=shg.id,
                voucher_date=day,
                narration="Savings",
                status=VoucherStatus.APPROVED,
                total_paise=sum(a for _, _, a in lines if a > 0),
                made_by="bench-maker",
                checked_by="bench-checker",
            )
            vouchers.append(row)
        ids = (
            (await session.execute(insert(Voucher).returning(Voucher.id), vouchers)).scalars().all()
        )
        line_rows = []
        for voucher_id, (shg, _day, lines) in zip(ids, batch, strict=True):
            self.district[shg.id] = shg.district_id
            for account, member_pk, amount in lines:
                line_rows.append(
                    {
                        "voucher_id": voucher_id,
                        "account": account,
                        "member_pk": member_pk or None,
                        "amount_paise": amount,
                    }
                )
                self.balances[(shg.id, account, member_pk)] += amount
        await session.execute(insert(VoucherLine), line_rows)

    async def finish(self, session: Any) -> None:
        rows = [
            {
                "cbo_id": cbo,
                "account": account,
                "member_pk": member,
                "balance_paise": balance,
                "district_id": self.district[cbo],
            }
            for (cbo, account, member), balance in self.balances.items()
        ]
        for start in range(0, len(rows), BATCH):
            await session.execute(insert(LedgerBalance), rows[start : start + BATCH])


async def run(
    vouchers: int,
    members: int,
    clients: int,
    posts: int,
    reads: int,
    postgres: str,
    keep: str | None,
    processes: int,
) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="lokos-bench-"))
    database = keep or f"lokos_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(postgres)
    fresh = not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
    if fresh:
        await admin.execute(f'CREATE DATABASE "{database}"')
    await admin.close()
    url = (
        postgres.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        + f"/{database}"
    )
    settings = Settings(env=Environment.TEST, database_url=url, config_dir=workdir / "config")
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        await upgrade(engine)
        if fresh:
            await seed_demo(sessions, members=members, seed=1)
        async with sessions() as session:
            shgs = list(
                (
                    await session.scalars(
                        select(Cbo).where(Cbo.kind == CboKind.SHG).order_by(Cbo.id)
                    )
                ).all()
            )
            member_rows = (
                await session.execute(select(Member.id, Member.member_id, Member.shg_id))
            ).all()
        people: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for pk, member_id, shg_id in member_rows:
            people[shg_id].append((pk, member_id))
        old_shg, young_shg = shgs[0], shgs[1]
        loader = Loader()
        start = time.perf_counter()
        today = date(2026, 3, 31)
        if fresh:  # a kept database already holds its vouchers
            async with transaction(sessions) as session:
                for shg, weeks in ((old_shg, 520), (young_shg, 52)):
                    for week in range(weeks):
                        day = today - timedelta(weeks=weeks - week)
                        lines = [("savings_compulsory", pk, -10_000) for pk, _ in people[shg.id]]
                        lines.append(("cash", 0, 10_000 * len(people[shg.id])))
                        await loader.load(session, shg, day, lines)
                batch: list[tuple[Cbo, date, list[tuple[str, int, int]]]] = []
                for n in range(vouchers - 572):
                    shg = shgs[2 + n % (len(shgs) - 2)]
                    pk, _ = people[shg.id][n % len(people[shg.id])]
                    amount = 1_000 + n % 50_000
                    batch.append(
                        (
                            shg,
                            today - timedelta(days=n % 3650),
                            [("cash", 0, amount), ("savings_compulsory", pk, -amount)],
                        )
                    )
                    if len(batch) == BATCH:
                        await loader.load_many(session, batch)
                        batch = []
                if batch:
                    await loader.load_many(session, batch)
                await loader.finish(session)
        loaded = time.perf_counter() - start
        async with engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")
        async with sessions() as session:
            posted = await session.scalar(select(func.count()).select_from(Voucher))
            lines_total = await session.scalar(select(func.count()).select_from(VoucherLine))

        app = create_app(settings, engine)
        settle_heap()
        maker = {
            "Authorization": f"Bearer {mint_token(settings, subject='bk', role=Role.BOOKKEEPER)}"
        }
        checker = {
            "Authorization": f"Bearer {mint_token(settings, subject='ap', role=Role.APPROVER)}"
        }
        reader = {
            "Authorization": f"Bearer {mint_token(settings, subject='an', role=Role.ANALYST)}"
        }
        record_ms: list[float] = []
        approve_ms: list[float] = []
        transport = httpx.ASGITransport(app=app)
        servers = _start_servers(settings, processes) if processes else []
        async with contextlib.AsyncExitStack() as stack:
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://bench")
            )
            posting = [
                await stack.enter_async_context(
                    httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60)
                )
                for _, port in servers
            ] or [client]
            for api in posting[: len(servers)]:
                await _wait_until_up(api)
            remaining = posts

            async def post_one(n: int, client: httpx.AsyncClient) -> None:
                shg = shgs[2 + n % (len(shgs) - 2)]
                _, member_id = people[shg.id][n % len(people[shg.id])]
                body = {
                    "query": RECORD,
                    "variables": {
                        "input": {
                            "cboCode": shg.code,
                            "voucherDate": "2026-03-31",
                            "narration": "Savings",
                            "lines": [
                                {"account": "cash", "debit": "100"},
                                {
                                    "account": "savings_compulsory",
                                    "credit": "100",
                                    "memberId": member_id,
                                },
                            ],
                        }
                    },
                }
                t = time.perf_counter()
                response = await client.post("/graphql", json=body, headers=maker)
                record_ms.append((time.perf_counter() - t) * 1000)
                voucher_id = response.json()["data"]["recordVoucher"]["voucher"]["id"]
                t = time.perf_counter()
                approved = await client.post(
                    "/graphql",
                    json={"query": APPROVE, "variables": {"id": voucher_id}},
                    headers=checker,
                )
                approve_ms.append((time.perf_counter() - t) * 1000)
                assert approved.json()["data"]["approveVoucher"]["errors"] == []

            async def worker(number: int) -> None:
                nonlocal remaining
                while remaining > 0:
                    remaining -= 1
                    await post_one(remaining, posting[number % len(posting)])

            t0 = time.perf_counter()
            await asyncio.gather(*(worker(i) for i in range(clients)))
            wall = time.perf_counter() - t0
            for server, _ in servers:
                server.terminate()
                server.wait()

            async def timed(query: str, variables: dict[str, Any]) -> list[float]:
                samples = []
                for _ in range(5):
                    await client.post(
                        "/graphql", json={"query": query, "variables": variables}, headers=reader
                    )
                for _ in range(reads):
                    t = time.perf_counter()
                    response = await client.post(
                        "/graphql", json={"query": query, "variables": variables}, headers=reader
                    )
                    samples.append((time.perf_counter() - t) * 1000)
                    assert "errors" not in response.json()
                return samples

            cases = {
                "passbook, 10-year SHG member (520 entries)": await timed(
                    PASSBOOK, {"m": people[old_shg.id][0][1]}
                ),
                "passbook, 1-year SHG member (52 entries)": await timed(
                    PASSBOOK, {"m": people[young_shg.id][0][1]}
                ),
                "trialBalance, 10-year SHG": await timed(TRIAL, {"c": old_shg.code}),
                "trialBalance, 1-year SHG": await timed(TRIAL, {"c": young_shg.code}),
            }
        print(
            f"\npostgresql: {posted} vouchers ({lines_total} lines) posted; bulk load {loaded:.0f} s"
        )
        print("| case | result |")
        print("|---|---|")
        how = f"{processes} API processes over HTTP" if processes else "in-process"
        print(
            f"| record + approve, {clients} clients, {posts} vouchers, {how} | "
            f"{posts / wall:.0f} vouchers posted/s |"
        )
        print(
            f"| recordVoucher latency under that load | p50 {statistics.median(record_ms):.1f} ms, "
            f"p99 {_pct(record_ms, 99):.1f} ms |"
        )
        print(
            f"| approveVoucher latency under that load | p50 {statistics.median(approve_ms):.1f} ms, "
            f"p99 {_pct(approve_ms, 99):.1f} ms |"
        )
        for name, samples in cases.items():
            print(
                f"| {name} | p50 {statistics.median(samples):.1f} ms, p99 {_pct(samples, 99):.1f} ms |"
            )
    finally:
        await engine.dispose()
        if keep is None:
            admin = await asyncpg.connect(postgres)
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await admin.close()


def _start_servers(settings: Settings, count: int) -> list[tuple[subprocess.Popen[bytes], int]]:
    """``count`` ``lokos serve`` processes on one database, on ports 8101 upwards."""
    lokos = str(Path(sys.executable).parent / "lokos")
    env = {
        **os.environ,
        "LOKOS_DATABASE_URL": settings.database_url,
        "LOKOS_CONFIG_DIR": str(settings.config_dir),
        "LOKOS_ENV": "test",
        "LOKOS_LOG_LEVEL": "warning",
    }
    return [
        (
            subprocess.Popen(  # noqa: S603  # our own command line
                [lokos, "serve", "--port", str(port), "--demo-members", "0"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
            port,
        )
        for port in range(8101, 8101 + count)
    ]


async def _wait_until_up(client: httpx.AsyncClient) -> None:
    for _ in range(120):
        try:
            if (await client.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.5)
    raise SystemExit("an API process did not start")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vouchers", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--posts", type=int, default=2_000)
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", help="PostgreSQL database to keep and reuse")
    parser.add_argument("--processes", type=int, default=0, help="API processes over HTTP")
    args = parser.parse_args()
    asyncio.run(
        run(
            args.vouchers,
            args.members,
            args.clients,
            args.posts,
            args.reads,
            args.postgres,
            args.database,
            args.processes,
        )
    )


if __name__ == "__main__":
    main()
