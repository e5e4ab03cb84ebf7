"""No raw Aadhaar or bank number survives enrolment: not in the database, a log or a response.

Enrols members with known numbers through the API (with and without
separators), corrects one, requests cards, provokes refusals, then searches
the whole database (the SQLite file and its WAL, or a pg_dump of PostgreSQL),
every log line captured at DEBUG, and every response body.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import Api
from tests.world import World, aadhaar_number, build_world

ENROL = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) {
    member { memberId maskedAadhaar maskedBankAccount } verdict errors { code field message } } }"""
UPDATE = """mutation($input: UpdateMemberProfileInput!) { updateMemberProfile(input: $input) {
    member { maskedAadhaar } errors { code message } } }"""


def _forms(digits: str) -> list[str]:
    """The number as typed: plain, in groups of four with spaces or hyphens."""
    groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    return [digits, " ".join(groups), "-".join(groups)]


async def _database_text(engine: AsyncEngine, database_url: str, backend: str) -> str:
    await engine.dispose()  # checkpoint and close, so the file holds everything
    if backend == "sqlite":
        path = Path(make_url(database_url).database or "")
        return "".join(p.read_bytes().decode("latin-1") for p in path.parent.glob(path.name + "*"))
    url = make_url(database_url)
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump (PostgreSQL's client tools) is needed to search the database"
    process = await asyncio.create_subprocess_exec(
        pg_dump,
        "-h",
        url.host or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
        "--data-only",
        url.database or "",
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    return out.decode()


async def test_identity_numbers_reach_nothing_but_masked_forms(
    api: Api,
    sessions: Any,
    engine: AsyncEngine,
    database_url: str,
    backend: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # log every statement
    world: World = await build_world(sessions)
    shgs = sorted(c for c, t in world.cbos.items() if t.kind == "shg")
    secrets = {
        "aadhaar": [aadhaar_number(5001), aadhaar_number(5002), aadhaar_number(5003)],
        "account": ["30012345678901", "998877665544", "123456789"],
    }
    bodies: list[str] = []

    async def call(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await api.post(query, variables, token=api.token())
        bodies.append(response.text)
        return dict(response.json())

    ids = []
    for index, (aadhaar, account) in enumerate(
        zip(secrets["aadhaar"], secrets["account"], strict=True)
    ):
        typed = _forms(aadhaar)[index % 3]
        data = await call(
            ENROL,
            {
                "input": {
                    "shgCode": shgs[index],
                    "name": f"Geeta {index}",
                    "gender": "F",
                    "birthYear": 1980,
                    "aadhaar": typed,
                    "bankIfsc": "SBIN0001234",
                    "bankAccount": account,
                }
            },
        )
        ids.append(data["data"]["enrollMember"]["member"]["memberId"])
    # A refusal of an enrolled number, a bad checksum, a correction, cards.
    await call(
        ENROL,
        {
            "input": {
                "shgCode": shgs[5],
                "name": "Again",
                "gender": "F",
                "birthYear": 1980,
                "aadhaar": secrets["aadhaar"][0],
            }
        },
    )
    await call(
        ENROL,
        {
            "input": {
                "shgCode": shgs[5],
                "name": "Typo",
                "gender": "F",
                "birthYear": 1980,
                "aadhaar": secrets["aadhaar"][1][:-1] + "0",
            }
        },
    )
    await call(UPDATE, {"input": {"memberId": ids[2], "aadhaar": secrets["aadhaar"][2]}})
    for member_id in ids:
        await call("query($m: String!) { idCard(memberId: $m) { token } }", {"m": member_id})
        card = await api.client.get(
            f"/cards/{member_id}", headers={"Authorization": f"Bearer {api.token()}"}
        )
        assert card.status_code == 200
        bodies.append(card.content.decode("latin-1"))

    logs = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    database = await _database_text(engine, database_url, backend)
    haystacks = {"responses": "\n".join(bodies), "logs": logs, "database": database}
    for kind, numbers in secrets.items():
        for number in numbers:
            for form in _forms(number):
                for where, text in haystacks.items():
                    assert form not in text, f"a raw {kind} number reached the {where}"
    # What does appear is the masked form, and the database holds members at all.
    assert "XXXX-XXXX-" + secrets["aadhaar"][0][-4:] in haystacks["responses"]
    assert re.search(r"v1:[0-9a-f]{64}", database)
    assert "Geeta 0" in database
    assert "INSERT INTO member" in logs  # the capture saw the SQL the engine ran
