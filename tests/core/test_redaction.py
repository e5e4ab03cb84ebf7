"""The last defence: long digit runs, in any script and with separators, never reach a log."""

from __future__ import annotations

import logging

import pytest

from core.redaction import REPLACEMENT, scrub_every_log_record, scrub_numbers

AADHAAR = "234567890124"


@pytest.mark.parametrize(
    "written",
    [
        AADHAAR,
        "2345 6789 0124",
        "2345-6789-0124",
        AADHAAR.translate(str.maketrans("0123456789", "०१२३४५६७८९")),
        AADHAAR.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        "²³⁴⁵⁶⁷⁸⁹⁰¹²⁴",
        "2.34567890124e+11",
        "30012345678901",
        "2345__6789__0124",  # a client's field name: f_2345__6789__0124
        "2345+6789+0124",  # a query string
        "2345%206789%200124",  # percent-encoded, as an access log line has it
        "%E0%A5%A8%E0%A5%A9%E0%A5%AA%E0%A5%AB%E0%A5%AC%E0%A5%AD%E0%A5%AE%E0%A5%AF%E0%A5%A6%E0%A5%A7%E0%A5%A8%E0%A5%AA",
    ],
)
def test_long_numbers_are_blanked_however_written(written: str) -> None:
    scrubbed = scrub_numbers(f"found: {written}.")
    assert scrubbed.startswith(f"found: {REPLACEMENT}") or scrubbed.startswith(
        f"found: 2.{REPLACEMENT}"
    ), scrubbed
    assert "890" not in scrubbed


@pytest.mark.parametrize(
    "kept",
    [
        "line 1, column 45",
        "2026-12-02",
        "Query cost 1010100 exceeds",
        "12345678.90",
        "1,23,45,678.00",
        "v1:abc",
    ],
)
def test_ordinary_numbers_stay(kept: str) -> None:
    assert scrub_numbers(kept) == kept


def test_every_log_record_is_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    previous = logging.getLogRecordFactory()
    scrub_every_log_record()
    try:
        caplog.set_level(logging.INFO)
        logger = logging.getLogger("any.library")
        logger.info("value %s and %r", AADHAAR, {"bank": "3001-2345-6789"})
        try:
            raise ValueError(f"bad {AADHAAR}")
        except ValueError:
            logger.exception("failed for 2345 6789 0124")
    finally:
        logging.setLogRecordFactory(previous)
    text = "\n".join(f"{r.getMessage()} {r.exc_text}" for r in caplog.records)
    assert AADHAAR not in text and "6789" not in text
    assert "ValueError" in text


def test_formatters_that_read_the_arguments_still_work(caplog: pytest.LogCaptureFixture) -> None:
    """uvicorn's access log unpacks a record's arguments: flattening them into the message
    made every access line a logging error with a traceback."""
    from uvicorn.logging import AccessFormatter

    previous = logging.getLogRecordFactory()
    scrub_every_log_record()
    try:
        caplog.set_level(logging.INFO)
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/cards/{AADHAAR}", "1.1", 200
        )
    finally:
        logging.setLogRecordFactory(previous)
    line = AccessFormatter("%(request_line)s %(status_code)s").format(caplog.records[-1])
    assert line.startswith("GET /cards/[number] HTTP/1.1 200"), line


def test_a_number_split_over_arguments_is_blanked_too(caplog: pytest.LogCaptureFixture) -> None:
    previous = logging.getLogRecordFactory()
    scrub_every_log_record()
    try:
        caplog.set_level(logging.INFO)
        logging.getLogger("any.library").info("%s%s %d", "234567", "890124", 234567890124)
    finally:
        logging.setLogRecordFactory(previous)
    assert "890" not in caplog.records[-1].getMessage()
