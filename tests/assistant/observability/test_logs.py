"""JSON log lines, with the message, extras and exception text redacted before they are written."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.observability.logs import PRE_REDACTED, REQUEST_ID, configure_logging


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    root, rih = logging.getLogger(), logging.getLogger("rih")
    saved = (list(root.handlers), root.level, rih.level)
    out = io.StringIO()
    configure_logging("INFO", out)
    yield out
    for handler in list(root.handlers):
        if handler not in saved[0]:
            root.removeHandler(handler)
    root.setLevel(saved[1])
    rih.setLevel(saved[2])


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_record_is_one_json_object_with_its_extras(stream: io.StringIO) -> None:
    logging.getLogger("rih.test").info("turn done in %d ms", 12, extra={"stage": "offered", "n": 3})
    (line,) = lines(stream)
    assert line["level"] == "INFO" and line["logger"] == "rih.test"
    assert line["message"] == "turn done in 12 ms"
    assert line["stage"] == "offered" and line["n"] == 3
    assert line["ts"].startswith("20") and "T" in line["ts"]


def test_chinese_text_is_written_as_it_is(stream: io.StringIO) -> None:
    logging.getLogger("rih.test").info("我的车被追尾了")
    assert "我的车被追尾了" in stream.getvalue()


def test_message_args_extras_and_nested_extras_are_redacted(stream: io.StringIO) -> None:
    log = logging.getLogger("rih.test")
    log.info(
        "customer says %s",
        "call 13812345678",
        extra={"plate": "京A12345", "prefs": {"email": "a@b.cn", "notes": ["身份证110101199003071234"]}},
    )
    (line,) = lines(stream)
    assert line["message"] == "customer says call [phone]"
    assert line["plate"] == "[plate]"
    assert line["prefs"] == {"email": "[email]", "notes": ["身份证[id]"]}
    assert "13812345678" not in stream.getvalue()


def test_exception_text_is_redacted(stream: io.StringIO) -> None:
    try:
        raise ValueError("bad header Authorization: Bearer abcdef123456")
    except ValueError:
        logging.getLogger("rih.test").exception("failed for 13912345678")
    (line,) = lines(stream)
    assert line["message"] == "failed for [phone]"
    assert "ValueError" in line["exc"] and "Authorization: [secret]" in line["exc"]
    assert "abcdef123456" not in stream.getvalue()


def test_the_request_id_of_the_request_being_served_is_attached(stream: io.StringIO) -> None:
    token = REQUEST_ID.set("req-42")
    try:
        logging.getLogger("rih.test").warning("slow")
    finally:
        REQUEST_ID.reset(token)
    logging.getLogger("rih.test").warning("outside")
    inside, outside = lines(stream)
    assert inside["request_id"] == "req-42" and "request_id" not in outside


def test_a_pre_redacted_record_is_written_as_built(stream: io.StringIO) -> None:
    logging.getLogger("rih.access").info("request", extra={"route": "/v1/x/{x_id}", PRE_REDACTED: True})
    (line,) = lines(stream)
    assert line == {**line, "message": "request", "route": "/v1/x/{x_id}"}
    assert PRE_REDACTED not in line


def test_a_bad_format_string_does_not_raise_into_the_caller(stream: io.StringIO) -> None:
    logging.getLogger("rih.test").info("%d items", "not a number 13812345678")
    (line,) = lines(stream)
    assert line["message"].startswith("%d items") and "13812345678" not in stream.getvalue()


def test_third_party_loggers_are_quieter_than_ours(stream: io.StringIO) -> None:
    logging.getLogger("httpx").info("HTTP Request: POST https://llm/v1?key=abc")
    logging.getLogger("httpx").warning("retrying with key=abc")
    logging.getLogger("rih.test").info("ours")
    messages = [line["message"] for line in lines(stream)]
    assert messages == ["retrying with key=[secret]", "ours"]


def test_configuring_twice_leaves_one_handler(stream: io.StringIO) -> None:
    again = io.StringIO()
    configure_logging("INFO", again)
    logging.getLogger("rih.test").info("once")
    assert stream.getvalue() == "" and len(lines(again)) == 1
    ours = [h for h in logging.getLogger().handlers if h.get_name() == "rih-json"]
    assert len(ours) == 1
