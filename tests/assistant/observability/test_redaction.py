"""Personal data and secrets are masked; the numbers people use when they talk about a repair are not."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.observability.redaction import forget_secrets, redact, register_secret


@pytest.fixture(autouse=True)
def no_registered_secrets() -> Iterator[None]:
    forget_secrets()
    yield
    forget_secrets()


MASKED = [
    # Chinese mobiles: bare, +86 / 0086 / (+86), spaces or dashes, inside Chinese text
    ("call me on 13812345678", "call me on [phone]"),
    ("手机13812345678，谢谢", "手机[phone]，谢谢"),
    ("电话：+86 138-1234-5678", "电话：[phone]"),
    ("+8613912345678", "[phone]"),
    ("0086 15912345678", "[phone]"),
    ("(+86) 186 1234 5678", "[phone]"),
    ("138 1234 5678 is my number", "[phone] is my number"),
    ("号码是19912345678。", "号码是[phone]。"),
    ("13812345678,13912345678", "[phone],[phone]"),
    # international numbers
    ("UK office +44 20 7946 0958", "UK office [phone]"),
    ("US +1 (415) 555-2671 anytime", "US [phone] anytime"),
    ("+49 30 1234567", "[phone]"),
    # landlines with an area code
    ("办公室010-12345678", "办公室[phone]"),
    ("landline 0755 8600 1234", "landline [phone]"),
    ("(021)61234567", "[phone]"),
    ("02161234567", "[phone]"),
    # full width, as Chinese input methods type it
    ("手机１３８１２３４５６７８，谢谢", "手机[phone]，谢谢"),
    ("电话：＋８６\u3000１３８－１２３４－５６７８", "电话：[phone]"),
    ("车牌京Ａ１２３４５", "车牌[plate]"),
    ("身份证１１０１０１１９９００３０７１２３Ｘ", "身份证[id]"),
    ("邮箱１２３４５６＠ｑｑ．ｃｏｍ", "邮箱[email]"),
    ("卡号６２２２０２１２３４５６７８９０１２８", "卡号[card]"),
    # plates: standard, new-energy (8 characters), with and without a separator
    ("车牌京A12345", "车牌[plate]"),
    ("my plate is 沪AD12345.", "my plate is [plate]."),
    ("新能源粤B·D12345号", "新能源[plate]号"),
    ("苏E 5B789被追尾", "[plate]被追尾"),
    ("浙A-12345", "[plate]"),
    ("川A12345D", "[plate]"),
    ("鲁B1234学", "[plate]"),
    # resident ID numbers: 18 digits (check character digit or X) and the old 15 digits
    ("身份证110101199003071234", "身份证[id]"),
    ("ID 11010119900307123X ok", "ID [id] ok"),
    ("id 11010119900307123x", "id [id]"),
    ("旧身份证110101900307123", "旧身份证[id]"),
    ("440301 19851231 0018", "[id]"),
    # bank cards (checksum valid)
    ("card 4111111111111111", "card [card]"),
    ("卡号6222 0212 3456 7890 128", "卡号[card]"),
    ("amex 3782 822463 10005", "amex [card]"),
    # e-mail, including the digit-only addresses common in China
    ("mail john.doe+claims@example.co.uk now", "mail [email] now"),
    ("QQ邮箱12345678@qq.com", "QQ邮箱[email]"),
    ("13812345678@163.com", "[email]"),
    # credentials
    ("Authorization: Bearer abc.def-123_ghi", "Authorization: [secret]"),
    ("{'authorization': 'Basic dXNlcjpwYXNz'}", "{'authorization': '[secret]'}"),
    ("sent bearer eyJhbGciOiJIUzI1NiJ9x", "sent bearer [secret]"),
    ("GET /x?api_key=abc123&lang=zh", "GET /x?api_key=[secret]&lang=zh"),
    ("OPENAI_API_KEY: hunter2", "OPENAI_API_KEY: [secret]"),
    ('{"password": "p@ss w0rd"}', '{"password": "[secret]"}'),
    ("key=s3cr3t", "key=[secret]"),
    ("x-api-key: abc", "x-api-key: [secret]"),
    ("db_password=letmein rest", "db_password=[secret] rest"),
    ("token=abc.def", "token=[secret]"),
    ("using sk-proj-abcdefghijklmnop1234", "using [secret]"),
    ("AKIAIOSFODNN7EXAMPLE leaked", "[secret] leaked"),
    (
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "jwt [secret]",
    ),
    # several at once, and neighbours freed by a tag
    ("京A12345 车主 13812345678 邮箱 a@b.cn", "[plate] 车主 [phone] 邮箱 [email]"),
    ("a@b.co13812345678", "[email][phone]"),
]

KEPT = [
    # distances, durations, years, counts
    "within 10 km please",
    "10公里以内",
    "I need it in 3 days",
    "3天内修好",
    "It is a 2024 model",
    "2024款宝马X5",
    "2 doors and 4 wheels, 1 bumper",
    # money and decimals
    "budget 5000元",
    "预算5000-8000元",
    "¥12,800.50 quoted",
    "$1,234,567.89",
    "pi is 3.14159265358979",
    "0.13812345678 is a ratio",
    "rating 4.8 out of 5",
    "99.5%",
    # dates and times
    "2024-03-15",
    "2024/03/15 10:20",
    "2024-03-15T10:20:30.123456+08:00",
    "2024-03-15T10:20:30Z",
    "20240315",
    "2024年3月15日下午3点",
    "unix 1712345678 ms 1712345678901 ns 1712345678901234567",
    "ts 1712345678.123",
    "+08:00",
    # our own identifiers
    "shop S000123",
    "shops S000123,S004567",
    "decision 9f1c2e3d4b5a69788796a5b4c3d2e1f0",
    "uuid 550e8400-e29b-41d4-a716-446655440000",
    "uuid a1b2c3d4-0123-4567-8901-234567890abc",
    "session Xk2_9aQ-13812345678bz",
    "claim CLM-2024-000123",
    "VIN LSVAU2180N2183294",
    # ranges, versions, counts that look a little like numbers above
    "1300-1500元",
    "v1.13.0",
    "100-12345678",
    "10000000000",
    "order 12345678",
    "HTTP/1.1 200 OK",
    "/v1/sessions/{session_id}/messages",
    # words that start like plates or secrets
    "我买了新MODEL3",
    "新X5M车型",
    "京东ABCDE店",
    "川A区的店",
    "the key point is the price",
    "monkey=3",
    "keyboard",
    "tokens: 3",
    "the bearer of good news",
    "Authorization failed",
    "task-force",
    # western plates are not recognised, but they pass through whole
    "UK plate AB12 CDE",
    "US plate 7ABC123",
    "German plate B-MW 1234",
    # empty and plain
    "",
    "   ",
    "Hello, my car was rear-ended.",
    "我的车被追尾了，后保险杠坏了。",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_personal_data_and_secrets_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_text_and_numbers_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_a_registered_secret_is_masked_verbatim_wherever_it_appears() -> None:
    assert register_secret("Zq9-live-key")
    assert (
        redact("calling with Zq9-live-key..., again:Zq9-live-key")
        == "calling with [secret]..., again:[secret]"
    )


def test_a_secret_can_be_registered_from_a_secret_str() -> None:
    class Secretish:
        def get_secret_value(self) -> str:
            return "opaque-value-42"

    assert register_secret(Secretish())
    assert redact("k=opaque-value-42") == "k=[secret]"


@pytest.mark.parametrize("value", ["", "abc", "   ", "secret", "phone", None])
def test_secrets_that_would_mask_ordinary_text_or_tags_are_refused(value: object) -> None:
    assert not register_secret(value)
    assert redact("my phone is secret") == "my phone is secret"


def test_a_longer_secret_containing_a_shorter_one_is_masked_whole() -> None:
    register_secret("abcd1234")
    register_secret("abcd1234-extended")
    assert redact("x abcd1234-extended y abcd1234") == "x [secret] y [secret]"


@pytest.mark.parametrize(
    "text",
    [
        "a@" * 20_000,
        "1-" * 20_000,
        "key=" * 20_000,
        "+1 " * 20_000,
        "京A" * 20_000,
        "a" * 50_000 + "@",
        "authorization:" * 10_000,
    ],
)
def test_redaction_stays_fast_on_hostile_input(text: str) -> None:
    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 2.0


# Fragments that trigger the patterns, glued by arbitrary text, find the edges where two patterns meet.
FRAGMENTS = st.sampled_from(
    [
        "13812345678", "+86 ", "0086", "010-", "12345678", "京A", "12345", "D", "·", "@", "a", "b.cn",
        "qq.com",
        "110101199003071234", "X", "4111111111111111", "key=", "password: ", "Bearer ", "Authorization: ",
        "sk-", "abcdefghijklmnop1234", "[phone]", "[secret]", "]", "[", "-", " ", ".", "0", "1", "\"", "'",
        "550e8400-e29b-41d4-a716-446655440000", "S000123", "2024-03-15T10:20:30Z", "５", "元",
    ]
)  # fmt: skip
TEXTS = st.one_of(st.text(max_size=200), st.lists(FRAGMENTS | st.text(max_size=5), max_size=30).map("".join))


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_redact_is_idempotent_and_never_raises(text: str) -> None:
    once = redact(text)
    assert isinstance(once, str)
    assert redact(once) == once


def test_full_width_ordinary_numbers_are_folded_to_ascii_not_masked() -> None:
    assert redact("距离１０公里，３天") == "距离10公里，3天"
    assert redact("２０２４款宝马Ｘ５，预算５０００元") == "2024款宝马X5，预算5000元"
    assert redact("好的（可以）。") == "好的（可以）。"  # other full-width punctuation stays
