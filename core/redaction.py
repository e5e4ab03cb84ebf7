"""The last defence for identity numbers: long runs of digits blanked from text that leaves.

Error messages are built so that they never hold what a client sent
(:mod:`api.redaction`); this catches whatever slips past that anyway — a
number inside a client's name for something, an exception's text in a log
line. A run of nine or more digits (the shortest bank account) in any script,
up to three spaces, hyphens, slashes, underscores or pluses between any two,
percent-encoded or not, is replaced: Aadhaar, account and mobile numbers are all that long; line
numbers, counts, dates and amounts of ordinary size are not.

>>> scrub_numbers("found: 2345 6789 0124 at line 3")
'found: [number] at line 3'
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

# Every character Python counts as a digit (Devanagari, full-width, superscripts ...),
# not only the decimal digits `\d` matches.
_DIGIT = (
    "[" + "".join(re.escape(chr(c)) for c in range(sys.maxunicode + 1) if chr(c).isdigit()) + "]"
)
# What people type between groups of an identity number; not the dot and comma of amounts.
# A plus is a space in a URL's query string; a client may put several between groups.
_SEPARATOR = r"[\s\-\u2010-\u2015/_+]"
_LONG_NUMBER = re.compile(f"{_DIGIT}(?:{_SEPARATOR}{{0,3}}{_DIGIT}){{8,}}")
REPLACEMENT = "[number]"


def scrub_numbers(text: str) -> str:
    if "%" in text:
        # A percent-encoded URL (an access log line) hides its digits and spaces.
        decoded = unquote(text)
        if _LONG_NUMBER.search(decoded):
            text = decoded
    return _LONG_NUMBER.sub(REPLACEMENT, text)


_plain_record_factory = logging.getLogRecordFactory()


def _scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """A log record whose message, arguments and traceback text have long numbers blanked.

    Arguments are scrubbed one by one and kept as arguments, because some
    formatters read them directly (uvicorn's access log unpacks them); only
    when a number spans several arguments is the message formatted here, once.
    Standard formatters reuse ``exc_text`` when it is set.
    """
    record = _plain_record_factory(*args, **kwargs)
    given = record.args
    if isinstance(record.msg, str):
        record.msg = scrub_numbers(record.msg)
    if isinstance(given, tuple):
        record.args = tuple(_scrubbed_argument(value) for value in given)
    elif isinstance(given, Mapping):
        record.args = {key: _scrubbed_argument(value) for key, value in given.items()}
    try:
        message: str | None = record.getMessage()
    except (TypeError, ValueError, KeyError):  # a scrubbed number no longer fits its %d
        message = None
    if message is None or scrub_numbers(message) != message:
        # A number spanning arguments, or one that had to keep its type: format once, here.
        try:
            message = str(record.msg) % given if given else str(record.msg)
        except (TypeError, ValueError, KeyError):
            message = None  # a malformed call: logging reports it, with the scrubbed arguments
        if message is not None:
            record.msg, record.args = scrub_numbers(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = scrub_numbers(logging.Formatter().formatException(record.exc_info))
    return record


def _scrubbed_argument(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_numbers(value)
    if value is None or isinstance(value, bool):
        return value
    text = str(value)
    scrubbed = scrub_numbers(text)
    # A number that long is itself the leak; anything else keeps its type for %d and friends.
    return value if scrubbed == text else scrubbed


def scrub_every_log_record() -> None:
    """Blank long numbers from every log record of the process, whatever logger made it."""
    logging.setLogRecordFactory(_scrubbed_record)
