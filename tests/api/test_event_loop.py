"""While one request attacks, the server keeps answering everyone else.

A real ``lokos serve`` process on a free loopback port, over real HTTP: an
in-process ASGI client runs on the test's own event loop and cannot show the
server's loop being held. For each attack of issue 11 (items 3 and 4) one
client sends it while another polls ``/healthz``; every health check must
come back within 200 ms, and the attack must be refused.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api.auth import mint_token
from core.access import Role
from core.settings import Settings
from tests.world import TEST_IDENTITY_KEYS

HEALTHY_WITHIN = 0.2  # seconds


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    settings: Settings

    def token(self, role: Role) -> str:
        return mint_token(self.settings, subject=f"{role.value}-1", role=role)


@pytest.fixture
def server(database_url: str, config_dir: Path, settings: Settings) -> Iterator[Server]:
    port = _free_port()
    env = {
        **os.environ,
        "LOKOS_ENV": "test",
        "LOKOS_DATABASE_URL": database_url,
        "LOKOS_CONFIG_DIR": str(config_dir),
        "LOKOS_IDENTITY_KEYS": TEST_IDENTITY_KEYS,
        "LOKOS_LOG_LEVEL": "warning",
    }
    command = [
        sys.executable,
        "-m",
        "cli.main",
        "serve",
        "--port",
        str(port),
        "--demo-members",
        "0",
    ]
    process = subprocess.Popen(  # noqa: S603  # this interpreter running our own command line
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"lokos serve did not start: {process.communicate()[1][-2000:]}")
            time.sleep(0.1)
        yield Server(url, settings)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _aliased(count: int, field: str) -> str:
    return " ".join(f"a{i}: {field}" for i in range(count))


def _repay(amount: str) -> str:
    return (
        f'recordRepayment(input: {{loanId: "TG9hbjox", amount: "{amount}", paidOn: "2024-05-10"}})'
        " { errors { code } }"
    )


def _body(query: str, variables: dict[str, object] | None = None) -> bytes:
    return json.dumps({"query": query, "variables": variables or {}}).encode()


_LINES = [{"account": "cash", "debit": "1"}, {"account": "other_income", "credit": "1"}] * 10_000
_LINE_READS = 'vouchers(cboCode: "SHG-X", first: 100) { edges { node { lines { account } } } }'

# name: (role, body). Each is refused; none may hold the server.
ATTACKS: dict[str, tuple[Role, bytes]] = {
    "Money 1e900000 from a partner": (Role.PARTNER, _body(f"mutation {{ {_repay('1e900000')} }}")),
    "Money 1e900000 twice, aliased": (
        Role.PARTNER,
        _body(f"mutation {{ {_aliased(2, _repay('1e900000'))} }}"),
    ),
    "Money 1e999999 from a bookkeeper": (
        Role.BOOKKEEPER,
        _body(f"mutation {{ {_repay('1e999999')} }}"),
    ),
    "a 10 MB string inline": (
        Role.ADMIN,
        _body('{ shg(code: "' + "x" * 10_000_000 + '") { code } }'),
    ),
    "me { subject } 450 times": (Role.ADMIN, _body("{ " + " me { subject }" * 450 + " }")),
    "a 20,000-line voucher": (
        Role.ADMIN,
        _body(
            "mutation($input: RecordVoucherInput!) { recordVoucher(input: $input) { errors { code } } }",
            {
                "input": {
                    "cboCode": "SHG-X",
                    "voucherDate": "2024-04-01",
                    "narration": "n",
                    "lines": _LINES,
                }
            },
        ),
    ),
    "15 aliased reads of voucher lines": (
        Role.ADMIN,
        _body("{ " + _aliased(15, _LINE_READS) + " }"),
    ),
    "JSON nested 1,000 deep": (
        Role.ADMIN,
        b'{"query": "{ me { subject } }", "variables": {"a": ' + b"[" * 1000 + b"]" * 1000 + b"}}",
    ),
}


@dataclass
class Outcome:
    attack_seconds: float
    refused: bool  # an upload the server cut off at its limit is refused too
    slowest_health_check: float
    health_checks: int


Send = Callable[[httpx.AsyncClient], Awaitable[bool]]


def _refused(response: httpx.Response) -> bool:
    """Refused: an HTTP error, a GraphQL error, or every mutation's payload naming errors."""
    if response.status_code != 200:
        return True
    body = response.json()
    if body.get("errors"):
        return True
    return all(payload and payload.get("errors") for payload in body["data"].values())


def _post(server: Server, role: Role, body: bytes) -> Send:
    headers = {"Authorization": f"Bearer {server.token(role)}", "Content-Type": "application/json"}

    async def send(client: httpx.AsyncClient) -> bool:
        return _refused(await client.post("/graphql", content=body, headers=headers))

    return send


async def _while_probing(server: Server, send: Send) -> Outcome:
    async with (
        httpx.AsyncClient(base_url=server.url, timeout=120) as attacker,
        httpx.AsyncClient(base_url=server.url, timeout=5) as prober,
    ):
        await prober.get("/healthz")  # a warm connection: time the server, not the handshake
        finished = asyncio.Event()
        slowest, checks = 0.0, 0

        async def probe() -> None:
            nonlocal slowest, checks
            while not finished.is_set() or checks == 0:
                started = time.perf_counter()
                try:
                    healthy = (await prober.get("/healthz")).status_code == 200
                except httpx.TimeoutException:
                    healthy = False
                took = time.perf_counter() - started
                slowest = max(slowest, took if healthy else float("inf"))
                checks += 1
                await asyncio.sleep(0.01)

        probing = asyncio.create_task(probe())
        started = time.perf_counter()
        try:
            refused = await send(attacker)
        except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
            refused = True
        took = time.perf_counter() - started
        finished.set()
        await probing
        return Outcome(took, refused, slowest, checks)


async def _best_of_three(server: Server, send: Send) -> Outcome:
    """An attack that held the loop holds it every time; one slow health check on a
    shared, loaded machine may be the OS scheduler's. Up to three tries, the best kept."""
    outcome = await _while_probing(server, send)
    for _ in range(2):
        if outcome.slowest_health_check < HEALTHY_WITHIN:
            break
        retry = await _while_probing(server, send)
        outcome = min(outcome, retry, key=lambda o: o.slowest_health_check)
    return outcome


async def test_healthz_answers_within_200_ms_during_every_attack(server: Server) -> None:
    outcomes = {
        name: await _best_of_three(server, _post(server, role, body))
        for name, (role, body) in ATTACKS.items()
    }
    accepted = [name for name, o in outcomes.items() if not o.refused]
    slow = {
        name: f"healthz {o.slowest_health_check * 1000:.0f} ms, attack {o.attack_seconds:.2f} s"
        for name, o in outcomes.items()
        if o.slowest_health_check >= HEALTHY_WITHIN
    }
    assert slow == {}
    assert accepted == []
    # And each attack was refused at once, not worked through slowly beside the health checks.
    assert {name: o.attack_seconds for name, o in outcomes.items() if o.attack_seconds > 1} == {}
