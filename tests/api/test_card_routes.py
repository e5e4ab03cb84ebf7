"""Printable cards are drawn off the event loop: other requests go on meanwhile."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import jwt
import pytest

from identity.cards import card_png
from tests.conftest import Api
from tests.world import build_world


async def test_drawing_cards_does_not_hold_the_event_loop(api: Api, sessions: Any) -> None:
    """A card is 50-100 ms of CPU; drawn on the loop, it held every other request as long."""
    world = await build_world(sessions)
    members = sorted(world.members)[:3]
    headers = {"Authorization": f"Bearer {api.token()}"}
    assert (await api.client.get(f"/cards/{members[0]}", headers=headers)).status_code == 200
    issued = await api.query(
        "query($m: String!) { idCard(memberId: $m) { token } }", {"m": members[0]}
    )
    token = issued["idCard"]["token"]
    # Drawn on the loop, every try paused it at least one card's drawing. The machine is
    # shared and noisy, so the best of three tries is judged: noise does not repeat.
    tries = [await _longest_pause(api, headers, members, token) for _ in range(3)]
    assert any(pause < one_card * 0.85 for pause, one_card in tries), tries


async def _longest_pause(
    api: Api, headers: dict[str, str], members: list[str], token: str
) -> tuple[float, float]:
    """The loop's longest pause while three cards are drawn, and one card's drawing time."""
    started = time.perf_counter()
    card_png(token, jwt.decode(token, options={"verify_signature": False}))
    one_card = time.perf_counter() - started  # on this machine, under its present load
    drawing = asyncio.Event()
    longest_pause = 0.0

    async def tick() -> None:
        nonlocal longest_pause
        while not drawing.is_set():
            started = time.perf_counter()
            await asyncio.sleep(0.005)
            longest_pause = max(longest_pause, time.perf_counter() - started)

    ticking = asyncio.create_task(tick())
    drawn = await asyncio.gather(
        *(api.client.get(f"/cards/{member}", headers=headers) for member in members)
    )
    drawing.set()
    await ticking
    assert [response.status_code for response in drawn] == [200] * len(members)
    assert all(response.content[:8] == b"\x89PNG\r\n\x1a\n" for response in drawn)
    return longest_pause, one_card


@pytest.mark.parametrize("member_id", ["%00abc", "abc%00", "%ED%A0%80", "1" * 5000, "12345678901"])
async def test_a_path_that_is_no_member_id_is_not_found(
    api: Api, caplog: pytest.LogCaptureFixture, member_id: str
) -> None:
    """A NUL in the path went to PostgreSQL as text: HTTP 500 and a stack in the log."""
    response = await api.client.get(
        f"/cards/{member_id}", headers={"Authorization": f"Bearer {api.token()}"}
    )
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert "Traceback" not in caplog.text
