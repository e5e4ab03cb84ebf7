"""The request's own limits, checked before anything reads it: body size and JSON nesting.

An ASGI middleware around the whole application. It reads the body as it
streams in and refuses it with 413 as soon as it passes the limit, so a
client that lies in ``Content-Length`` (or sends it chunked, with none) still
gets no further than the limit. A body within the limit is decoded once here
and refused with 400 when it is not JSON or nests deeper than any GraphQL
request does: Python's decoder recurses, and 1,000 levels of ``[`` ended in a
RecursionError, an HTTP 500 and a stack trace in the log. The body then goes
on, unchanged, to the application, which decodes it again (a few
milliseconds at the size limit; the price of leaving strawberry's request
handling as it is).

Both refusals are GraphQL-shaped (``data: null`` and an error with
``extensions.code``), like every other refusal of this API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True)
class RequestLimits:
    """Wraps ``app``: bodies over ``max_bytes``, or nested over ``max_json_depth``, stop here."""

    app: ASGIApp
    max_bytes: int
    max_json_depth: int

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before finishing its request
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and "json" in headers.get("content-type", ""):
            problem = self._json_problem(body)
            if problem is not None:
                await refusal(400, "BAD_REQUEST", problem)(scope, receive, send)
                return
        await self.app(scope, _replay(body, receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"The request body is larger than {self.max_bytes} bytes"
        await refusal(413, "REQUEST_TOO_LARGE", message)(scope, receive, send)

    def _json_problem(self, body: bytes) -> str | None:
        try:
            decoded = json.loads(body)
        except RecursionError:
            return f"The request's JSON nests deeper than {self.max_json_depth} levels"
        except ValueError:  # not JSON, not UTF-8, or an integer of more than 4,300 digits
            return "The request body is not valid JSON"
        if json_depth(decoded) > self.max_json_depth:
            return f"The request's JSON nests deeper than {self.max_json_depth} levels"
        return None


def json_depth(value: object) -> int:
    """How deeply arrays and objects nest in decoded JSON (a scalar is 0); no recursion."""
    deepest = 0
    pending: list[tuple[object, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: list[object] = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        pending.extend((child, depth + 1) for child in children)
    return deepest


def refusal(status: int, code: str, message: str) -> JSONResponse:
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands over the body already read, then listens for the disconnect."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
