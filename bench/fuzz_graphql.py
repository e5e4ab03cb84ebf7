"""Fuzz the running API with schemathesis's GraphQL mode, real tokens and real codes.

Starts the API as ``lokos serve`` starts it (migrate, seed demo members,
uvicorn) on a loopback port, on SQLite or PostgreSQL, with every log line of
the server (root logger at INFO, uvicorn's access log included) written to a
file. Loads the schema by introspection, then for each query and mutation
field draws cases from schemathesis (positive and negative modes) and sends
each under a token of one of seven roles and scopes, minted with the server's
own development key.

String inputs are seeded so cases reach resolvers: arguments named like codes
get real geo and CBO codes, ``memberId`` real member IDs, IDs the node IDs of
what the seed query and earlier responses returned. Identity numbers go in
two ways, from two disjoint pools of valid numbers:

- *secret*: valid Aadhaar numbers (Verhoeff check digit, ``234567890124``
  among them, sometimes spaced) and 12-16 digit bank accounts, sent only in
  the write-only ``aadhaar`` and ``bankAccount`` inputs (as strings, and in
  negative cases as bare numbers). None may appear in any response, any log
  line, or (SQLite) the database file.
- *stray*: other valid numbers put into any other string input (names,
  reasons, narrations, codes). They may come back as the data the caller
  stored (a name is a name), but never in an error and never in a log line.

It counts cases, HTTP 5xx answers, masked unexpected errors ("Unexpected
error." in a response, "unexpected <Type>" in the log) and timeouts, and
lists each distinct failure (operation, error type, where) with one example
query. Exit status 1 when any server error or leak was found.

    python bench/fuzz_graphql.py --backend sqlite --cases 6000
    python bench/fuzz_graphql.py --backend postgresql --cases 6000 --json fuzz.json
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import graphql
import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.graphql import nodes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.auth import mint_token  # noqa: E402  (the checkout, not an installed copy)
from core.access import Role  # noqa: E402
from core.settings import Settings  # noqa: E402
from identity.verhoeff import check_digit  # noqa: E402

MASKED = "Unexpected error."
# Arguments and input fields that take a code, by name.
CODE_NAMES = re.compile(r"(code|Code|within)$")
ID_NAMES = re.compile(r"^(id|[a-z]+Id)$")
SEED_QUERY = """{
  states(first: 10) { edges { node { id code children(first: 10) { edges { node { id code
    children(first: 10) { edges { node { id code } } } } } } } } }
  clfs(first: 30) { edges { node { id code } } }
  vos(first: 50) { edges { node { id code } } }
  shgs(first: 100) { edges { node { id code village { id code }
    members(first: 15) { edges { node { id memberId } } } } } }
}"""
# Money as clients send it and as they should not: the server must answer each with
# a typed error or a result, never an internal one. Exponents of hundreds of thousands
# of digits ("1e900000", item 3 of issue 11) are left out: on a server without a
# bounded grammar each stalls it for half a minute; "1e999999" fails at once.
MONEY = [
    "0", "1", "100", "1250.50", "0.01", "99999", "5000", "310", "-5", "0.001", "1e3",
    "abc", "", " 100 ", "1,000", "१००", "100.5", "12345678901234567890", "NaN", "Infinity",
    "1e5000", "1e999999", "-0", "0.10", "１００",
]  # fmt: skip
# The same digits in other scripts (item 1 of issue 11): Devanagari, full-width, superscript.
DIGIT_FORMS = [
    str.maketrans("0123456789", "०१२३४५६७८९"),
    str.maketrans("0123456789", "０１２３４５６７８９"),
    str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"),
]


def aadhaar_numbers(rng: random.Random, count: int, first: str) -> list[str]:
    numbers = set()
    while len(numbers) < count:
        body = first + "".join(rng.choice("0123456789") for _ in range(10))
        numbers.add(body + check_digit(body))
    return sorted(numbers)


def account_numbers(rng: random.Random, count: int, first: str) -> list[str]:
    return [
        first + "".join(rng.choice("0123456789") for _ in range(rng.randint(11, 15)))
        for _ in range(count)
    ]


@dataclass
class Seeds:
    codes: list[str]
    member_ids: list[str]
    ids: list[str]
    secret_aadhaar: list[str]
    secret_accounts: list[str]
    stray: list[str]


@dataclass
class Sent:
    """The identity numbers one case sent: as ASCII digits, and as written when written
    otherwise (other scripts' digits), so either form is looked for."""

    secret: set[str] = field(default_factory=set)
    stray: set[str] = field(default_factory=set)


class Substitution:
    """Puts seeds into a drawn query: real codes where codes go, identity numbers as
    described in the module docstring. Draws through hypothesis, so a case replays."""

    def __init__(self, seeds: Seeds, draw: Any) -> None:
        self.seeds = seeds
        self.draw = draw
        self.sent = Sent()

    def document(self, query: str) -> str:
        document = graphql.parse(query)
        visitor = self

        class Replace(graphql.Visitor):
            def enter_argument(self, node: Any, *_args: Any) -> Any:
                return visitor.field(node, graphql.ArgumentNode)

            def enter_object_field(self, node: Any, *_args: Any) -> Any:
                return visitor.field(node, graphql.ObjectFieldNode)

        return graphql.print_ast(graphql.visit(document, Replace()))

    def field(self, node: Any, kind: type) -> Any:
        name = node.name.value
        value = node.value
        if name in ("aadhaar", "bankAccount"):
            pool = self.seeds.secret_aadhaar if name == "aadhaar" else self.seeds.secret_accounts
            number = self.draw(st.sampled_from(pool))
            self.sent.secret.add(number)
            if isinstance(value, graphql.StringValueNode):
                form = self.draw(st.integers(0, 5))
                text = number
                if form in (1, 2) and name == "aadhaar":
                    text = (" ", "-")[form - 1].join((number[:4], number[4:8], number[8:]))
                elif form >= 3:
                    text = number.translate(DIGIT_FORMS[form - 3])
                    self.sent.secret.add(text)
                return kind(name=node.name, value=nodes.String(text))
            if self.draw(st.booleans()):  # a negative case: the number as a bare Int
                return kind(name=node.name, value=graphql.IntValueNode(value=number))
            return None
        if not isinstance(value, graphql.StringValueNode):
            return None
        if name == "bankIfsc" and self.draw(st.booleans()):
            return kind(name=node.name, value=nodes.String("SBIN0004567"))
        if name == "mobile" and self.draw(st.booleans()):
            return kind(name=node.name, value=nodes.String("98765" + "01234"))
        pools: list[list[str]] = []
        if CODE_NAMES.search(name):
            pools.append(self.seeds.codes)
        if name == "memberId":
            pools.append(self.seeds.member_ids)
        elif ID_NAMES.match(name):
            pools.append(self.seeds.ids)
        choice = self.draw(st.integers(0, 9))
        if pools and choice < 7:
            real = self.draw(st.sampled_from(self.draw(st.sampled_from(pools))))
            return kind(name=node.name, value=nodes.String(real))
        if choice >= 8:
            number = self.draw(st.sampled_from(self.seeds.stray))
            self.sent.stray.add(number)
            return kind(name=node.name, value=nodes.String(number))
        return None


@dataclass
class Failure:
    operation: str
    kind: str  # "http 500", "masked error", "timeout", "leak in response", ...
    where: str
    example: str
    count: int = 1


@dataclass
class Report:
    backend: str
    cases: int = 0
    by_operation: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    accepted: int = 0
    server_errors: int = 0
    timeouts: int = 0
    identity_numbers_sent: int = 0
    leaks: int = 0
    failures: dict[tuple[str, str, str], Failure] = field(default_factory=dict)
    seconds: float = 0.0

    def fail(self, operation: str, kind: str, where: str, example: str) -> None:
        key = (operation, kind, where)
        if key in self.failures:
            self.failures[key].count += 1
        else:
            self.failures[key] = Failure(operation, kind, where, example[:2000])

    def summary(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "cases": self.cases,
            "operations": len(self.by_operation),
            "accepted_without_errors": self.accepted,
            "http_statuses": dict(sorted(self.statuses.items())),
            "server_errors": self.server_errors,
            "timeouts": self.timeouts,
            "identity_numbers_sent": self.identity_numbers_sent,
            "leaks": self.leaks,
            "seconds": round(self.seconds, 1),
            "failures": [asdict(f) for f in self.failures.values()],
        }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve(port: int, members: int) -> None:
    """The server side (``--serve``): ``lokos serve`` with every log line to stderr."""
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    from cli.main import serve as lokos_serve

    lokos_serve(host="127.0.0.1", port=port, demo_members=members)


def postgres_database(url: str) -> tuple[str, str]:
    """A fresh database on the PostgreSQL at ``url``: its SQLAlchemy URL and its name."""
    import asyncio

    import asyncpg

    name = f"lokos_fuzz_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        connection = await asyncpg.connect(url)
        await connection.execute(f'CREATE DATABASE "{name}"')
        await connection.close()

    asyncio.run(create())
    base = url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}", name


def drop_postgres_database(url: str, name: str) -> None:
    import asyncio

    import asyncpg

    async def drop() -> None:
        connection = await asyncpg.connect(url)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()

    asyncio.run(drop())


def fetch_seeds(client: httpx.Client, admin: str, rng: random.Random) -> Seeds:
    answer = client.post(
        "/graphql", json={"query": SEED_QUERY}, headers={"Authorization": f"Bearer {admin}"}
    ).json()
    assert "errors" not in answer, answer
    text = json.dumps(answer)
    codes = sorted(set(re.findall(r'"code": "([^"]+)"', text)))
    member_ids = sorted(set(re.findall(r'"memberId": "([^"]+)"', text)))
    ids = sorted(set(re.findall(r'"id": "([^"]+)"', text)))
    secret = [*aadhaar_numbers(rng, 39, "2"), "234567890124"]
    return Seeds(
        codes=codes,
        member_ids=member_ids,
        ids=ids,
        secret_aadhaar=secret,
        secret_accounts=account_numbers(rng, 40, "3"),
        stray=aadhaar_numbers(rng, 30, "8") + account_numbers(rng, 30, "7"),
    )


def tokens_for(settings_: Settings, seeds: Seeds) -> list[tuple[str, str]]:
    """(label, token) for seven callers; scoped ones get real codes from the seeds."""
    shg = next(c for c in seeds.codes if c.startswith("SHG-"))
    block = next(c for c in seeds.codes if c.startswith("BL-"))
    state = next(c for c in seeds.codes if c.startswith("ST-"))
    callers = [
        (Role.ADMIN, ""),
        (Role.ADMIN, state),
        (Role.BOOKKEEPER, shg),
        (Role.APPROVER, block),
        (Role.REVIEWER, ""),
        (Role.ANALYST, block),
        (Role.PARTNER, ""),
    ]
    return [
        (
            f"{role.value}@{scope or 'national'}",
            mint_token(settings_, subject=f"fuzz-{role.value}", role=role, scope=scope),
        )
        for role, scope in callers
    ]


def contains(text: str, number: str) -> bool:
    """The number in the text, as digits or in fours with spaces or hyphens (as Aadhaar
    is written)."""
    groups = [number[i : i + 4] for i in range(0, len(number), 4)]
    return number in text or " ".join(groups) in text or "-".join(groups) in text


def run(args: argparse.Namespace) -> Report:
    report = Report(backend=args.backend)
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="lokos-fuzz-"))
    port = free_port()
    env = {
        **os.environ,
        "LOKOS_ENV": "development",
        "LOKOS_CONFIG_DIR": str(work / "config"),
        "PYTHONPATH": str(ROOT),
    }
    pg_name = None
    if args.backend == "postgresql":
        env["LOKOS_DATABASE_URL"], pg_name = postgres_database(args.postgres_url)
    else:
        env["LOKOS_DATABASE_URL"] = f"sqlite+aiosqlite:///{work / 'lokos.db'}"
    log_path = work / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603  (this interpreter and this file)
            [sys.executable, __file__, "--serve", str(port), "--members", str(args.members)],
            env=env,
            cwd=work,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        client = httpx.Client(base_url=base, timeout=args.timeout)
        deadline = time.monotonic() + 300
        while True:
            try:
                if client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start; see {log_path}")
            time.sleep(0.5)
        server_settings = Settings.from_env(env)
        admin = mint_token(server_settings, subject="fuzz-seed", role=Role.ADMIN)
        seeds = fetch_seeds(client, admin, rng)
        tokens = tokens_for(server_settings, seeds)
        started = time.monotonic()
        fuzz(report, args, seeds, tokens, base, client)
        report.seconds = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    try:
        check_log(report, log_path, seeds)
        check_database(report, database_text(work, args.postgres_url, pg_name), seeds)
    finally:
        if pg_name is not None:
            drop_postgres_database(args.postgres_url, pg_name)
    if args.keep_log:
        print(f"server log: {log_path}", file=sys.stderr)
    else:
        shutil.rmtree(work)
    return report


def fuzz(
    report: Report,
    args: argparse.Namespace,
    seeds: Seeds,
    tokens: list[tuple[str, str]],
    base: str,
    client: httpx.Client,
) -> None:
    schemathesis.graphql.scalar("Money", st.sampled_from(MONEY).map(nodes.String))
    schema = schemathesis.graphql.from_url(
        f"{base}/graphql", headers={"Authorization": f"Bearer {tokens[0][1]}"}
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    per_operation = max(1, args.cases // (2 * len(operations)))
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            cases_of(operation, mode, per_operation, args.seed, report, seeds, tokens, client)()


def cases_of(
    operation: Any,
    mode: GenerationMode,
    count: int,
    run_seed: int,
    report: Report,
    seeds: Seeds,
    tokens: list[tuple[str, str]],
    client: httpx.Client,
) -> Any:
    """A hypothesis test that sends ``count`` cases of one operation in one mode."""

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @seed(run_seed)  # the same seed, the same cases (against the same server state)
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def one_case(case: Any, data: Any) -> None:
        substitution = Substitution(seeds, data.draw)
        query = substitution.document(case.body)
        label, token = data.draw(st.sampled_from(tokens))
        send(report, client, operation.label, label, token, query, substitution.sent, seeds)

    return one_case


def send(
    report: Report,
    client: httpx.Client,
    operation: str,
    caller: str,
    token: str,
    query: str,
    sent: Sent,
    seeds: Seeds,
) -> None:
    report.cases += 1
    report.by_operation[operation] += 1
    report.identity_numbers_sent += len(sent.secret) + len(sent.stray)
    example = f"[{caller}] {query}"
    try:
        response = client.post(
            "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
        )
    except httpx.TimeoutException:
        report.timeouts += 1
        report.server_errors += 1
        report.fail(operation, "timeout", "", example)
        return
    report.statuses[response.status_code] += 1
    if response.status_code >= 500:
        report.server_errors += 1
        report.fail(operation, f"http {response.status_code}", "", example)
    try:
        body = response.json()
    except ValueError:
        body = {}
    errors = body.get("errors") or [] if isinstance(body, dict) else []
    # Searched as decoded text: JSON may escape other scripts' digits as \uXXXX.
    text = json.dumps(body, ensure_ascii=False) if body else response.text
    for error in errors:
        if error.get("message") == MASKED:
            report.server_errors += 1
            report.fail(operation, "masked error", str(error.get("path")), example)
    if isinstance(body, dict) and body.get("data") is not None and not errors:
        report.accepted += 1
    for number in sent.secret:
        if contains(text, number):
            report.leaks += 1
            messages = " | ".join(str(e.get("message")) for e in errors if contains(str(e), number))
            where = _around(messages, number) if messages else "data"
            report.fail(operation, "identity number in response", where, example)
    for number in sent.stray:
        for error in errors:
            message = str(error.get("message"))
            if contains(message, number):
                report.leaks += 1
                report.fail(
                    operation, "identity number in an error", _around(message, number), example
                )
    # Later cases reach what earlier ones created: vouchers, loans, members, CBOs.
    if isinstance(body, dict) and body.get("data") and len(seeds.ids) < 2000:
        found = json.dumps(body["data"])
        seeds.ids.extend(set(re.findall(r'"id": "([^"]+)"', found)) - set(seeds.ids))
        seeds.codes.extend(set(re.findall(r'"code": "([^"]+)"', found)) - set(seeds.codes))
        seeds.member_ids.extend(
            set(re.findall(r'"memberId": "([^"]+)"', found)) - set(seeds.member_ids)
        )


def _around(text: str, number: str) -> str:
    """Where a number showed up, numbers replaced by <n>, so failures group by place."""
    spaced = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    at = text.find(number) if number in text else text.find(spaced)
    excerpt = text[max(0, at - 100) : at + len(number) + 30]
    return re.sub(r"[\d⁰¹²³⁴-⁹ ]{9,}", "<n>", excerpt)


UNEXPECTED = re.compile(r"lokos\.api unexpected (\w+) in (\S+) at (\[.*?\]|None)")


def check_log(report: Report, log_path: Path, seeds: Seeds) -> None:
    """Every server log line: unexpected errors are counted by type and place; no identity
    number sent (of either pool) may appear."""
    numbers = seeds.secret_aadhaar + seeds.secret_accounts + seeds.stray
    lines = log_path.read_text(errors="replace").splitlines()
    for line in lines:
        match = UNEXPECTED.search(line)
        if match:
            report.fail(
                f"log: {match.group(2)}", f"unexpected {match.group(1)}", match.group(3), line
            )
        if "Traceback" in line and not match:
            report.fail("log", "traceback", "", line)
        for number in numbers:
            if contains(line, number):
                report.leaks += 1
                report.fail("log", "identity number in a log line", "", line)


def database_text(work: Path, postgres_url: str, pg_name: str | None) -> str:
    """Everything the database holds: the SQLite files (and WAL), or a pg_dump of its data."""
    if pg_name is None:
        return "".join(p.read_bytes().decode("latin-1") for p in work.glob("lokos.db*"))
    url = postgres_url.rsplit("/", 1)[0] + f"/{pg_name}"
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise RuntimeError("pg_dump (PostgreSQL's client tools) is needed to search the database")
    dumped = subprocess.run(  # noqa: S603  (PostgreSQL's own client, our database)
        [pg_dump, "--data-only", url], capture_output=True, check=True, text=True
    )
    return dumped.stdout


def check_database(report: Report, text: str, seeds: Seeds) -> None:
    """No write-only number reached the database."""
    for number in seeds.secret_aadhaar + seeds.secret_accounts:
        if contains(text, number):
            report.leaks += 1
            report.fail("database", "identity number stored", "", number[-4:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--cases", type=int, default=6000)
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--json", type=Path, help="write the report here")
    parser.add_argument(
        "--keep-log", action="store_true", help="keep the server log and database; print where"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "LOKOS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.members)
        return
    report = run(args)
    summary = report.summary()
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    print(json.dumps({k: v for k, v in summary.items() if k != "failures"}, indent=2))
    for failure in summary["failures"]:
        print(f"- {failure['operation']}: {failure['kind']} at {failure['where']} "
              f"(x{failure['count']})\n    {failure['example'][:300]}")  # fmt: skip
    sys.exit(1 if report.server_errors or report.leaks else 0)


if __name__ == "__main__":
    main()
