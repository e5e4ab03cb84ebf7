"""The last defence for identity numbers: long runs of digits blanked from text that leaves.

Error messages are built so that they never hold what a client sent
(:mod:`api.redaction`); this catches whatever slips past that anyway — a
number inside a client's name for something, an exception's text in a log
line. A run of nine or more digits (the shortest bank account) in any script,
a single space, hyphen, slash or underscore between any two allowed, is
replaced: Aadhaar, account and mobile numbers are all that long; line
numbers, counts, dates and amounts of ordinary size are not.

>>> scrub_numbers("found: 2345 6789 0124 at line 3")
'found: [number] at line 3'
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

# Every character Python counts as a digit (Devanagari, full-width, superscripts ...),
# not only the decimal digits `\d` matches.
_DIGIT = (
    "[" + "".join(re.escape(chr(c)) for c in range(sys.maxunicode + 1) if chr(c).isdigit()) + "]"
)
# What people type between groups of an identity number; not the dot and comma of amounts.
_SEPARATOR = r"[\s\-\u2010-\u2015/_]"
_LONG_NUMBER = re.compile(f"{_DIGIT}(?:{_SEPARATOR}?{_DIGIT}){{8,}}")
REPLACEMENT = "[number]"


def scrub_numbers(text: str) -> str:
    return _LONG_NUMBER.sub(REPLACEMENT, text)


_plain_record_factory = logging.getLogRecordFactory()


def _scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """A log record whose message (and traceback text) has long numbers blanked.

    The message is formatted here, once, so that arguments are scrubbed too;
    standard formatters reuse ``exc_text`` when it is set.
    """
    record = _plain_record_factory(*args, **kwargs)
    record.msg = scrub_numbers(record.getMessage())
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = scrub_numbers(logging.Formatter().formatException(record.exc_info))
    return record


def scrub_every_log_record() -> None:
    """Blank long numbers from every log record of the process, whatever logger made it."""
    logging.setLogRecordFactory(_scrubbed_record)
