"""Masks personal data and secrets in free text before it reaches a log: `redact(text) -> text`.

Phone numbers, plates, resident ID numbers, bank cards, e-mail addresses and credentials, typed in ASCII or
in full width, become tags (`[phone]`, `[plate]`, `[id]`, `[card]`, `[email]`, `[secret]`). Ordinary numbers
people use when they talk about a repair (10 km, 3 days, 5000元, 2024, decimals, ISO timestamps, `S000123`,
uuids) are left alone: every digit pattern must span a whole run of digits and letters, so it never bites into
an id, a hex string or a decimal. Plates are Chinese plates: a western plate (`AB12 CDE`, `7ABC123`) looks
like a model or part number (`X5 M50d`, `BMW 320i`), so it is not guessed at.
"""

from __future__ import annotations

import re
from typing import Any

TAGS = ("[phone]", "[plate]", "[id]", "[card]", "[email]", "[secret]")
MIN_SECRET_CHARS = 4

# A digit pattern starts and ends a run: never inside `S000123`, a hex id or the fraction of a decimal.
_L = r"(?<![\dA-Za-z])(?<!\d\.)"
_R = r"(?![\dA-Za-z])(?!\.\d)"
_SEP = r"[ \-]?"
_TOKEN = r"[A-Za-z0-9\-._~+/]"
_SECRET_NAMES = (
    r"api[_\-]?key|apikey|secret|client[_\-]?secret|password|passwd|pwd|private[_\-]?key|access[_\-]?key"
    r"|access[_\-]?token|refresh[_\-]?token|auth[_\-]?token|token"
)
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_MONTH_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"

# Credentials, e-mail addresses and digit-led personal data are three passes, each run only when a cheap test
# says the text may hold one: most log lines pay for a lower() and a digit search, not for the full patterns.
_SECRETS = re.compile(
    r"(?P<auth>(?P<auth_k>(?i:(?:proxy-)?authorization)[\"']?\s*[:=]\s*[\"']?)"
    r"(?:(?i:bearer|basic|token|digest)\s+)?[^\s\"',;]+)"
    rf"|(?P<bearer>(?P<bearer_k>(?<![A-Za-z])(?i:bearer)\s+)(?:(?={_TOKEN}*\d){_TOKEN}{{8,}}|{_TOKEN}{{20,}})=*)"
    rf"|(?P<keyed>(?P<keyed_k>(?<![A-Za-z0-9])(?:(?i:{_SECRET_NAMES})[\"']?\s*[:=]|(?i:key)=)\s*)"
    r"(?P<keyed_v>\"[^\"\n]*\"|'[^'\n]*'|[^\s\"'&,;<>]+))"
    r"|(?<![A-Za-z0-9])(?:sk-[A-Za-z0-9_\-]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}"
    r"|eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,})"
)
_SECRET_HINTS = (
    *("authoriz", "bearer", "key", "secret", "token", "passw", "pwd", "sk-", "akia", "eyj"),
    *("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)
_ID_BODY = rf"[1-9]\d{{5}} ?(?:18|19|20)\d{{2}}{_MONTH_DAY} ?\d{{3}}[\dXx]|[1-9]\d{{7}}{_MONTH_DAY}\d{{3}}"
# Alternatives in priority order (at one position the first that matches wins): `keep` shields uuids, whose
# all-digit groups (`0123-4567-8901`) would otherwise read as a landline.
_NUMBERS = re.compile(
    r"(?P<keep>(?<![0-9A-Fa-f])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})"
    rf"|(?P<id>{_L}(?:{_ID_BODY}){_R})"
    rf"|(?P<mobile>{_L}(?:(?:\+|00)86{_SEP}|\(\+?86\){_SEP})?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}{_R})"
    r"|(?P<intl>(?<![\dA-Za-z])\+\d(?:[ \-.()]{0,2}\d){7,14}(?![\dA-Za-z]))"
    rf"|(?P<landline>{_L}\(?0[1-9]\d{{1,2}}\)?{_SEP}\d{{3,4}}{_SEP}\d{{4}}{_R})"
)
_TAG_OF = {"id": "[id]", "mobile": "[phone]", "intl": "[phone]", "landline": "[phone]"}
# A plate holds at least three digits after the city letter: `新MODEL3` and `京东ABCDE` are not plates.
_PLATE = re.compile(
    rf"[{_PROVINCES}][A-Za-z][ ·•・.\-]?(?=(?:[A-Za-z]*\d){{3}})"
    r"(?:[A-Za-z0-9]{5,6}[挂学警港澳领试超]?|[A-Za-z0-9]{4}[挂学警港澳领试超])(?![\dA-Za-z])"
)
# Cards go before the other numbers, in a pass of their own: a candidate with a bad checksum is left as it is
# and the next pass still finds a phone number inside it, while a grouped card is not read as a landline.
_CARD = re.compile(
    rf"{_L}(?=62|4|5[1-5]|3[47]|35|2[2-7])"
    # plain, 4-4-4-4(-3) or 4-6-5
    r"(?:\d{15,19}|\d{4}(?:[ \-]\d{4}){3}(?:[ \-]\d{1,3})?|\d{4}[ \-]\d{6}[ \-]\d{5})"
    rf"{_R}"
)
_ID = re.compile(_ID_BODY)
_DIGIT = re.compile(r"\d")
MAX_ROUNDS = 4

_known_secrets: set[str] = set()
_known_pattern: re.Pattern[str] | None = None


# Full-width digits and Latin letters (and the +, -, @, . and space among them) are what a Chinese input
# method types by default: `１３８１２３４５６７８` is a phone number like any other. They are folded to ASCII
# before matching, so what stays in the line reads `10 km` for `１０ km`; other punctuation is left as is.
_FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): chr(0x30 + i) for i in range(10)},
        **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
        **{"＋": "+", "－": "-", "\u3000": " ", "＠": "@", "．": "."},
    }
)
_HAS_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a＋－\u3000＠．]")


def redact(text: str) -> str:
    """`text` with personal data and secrets replaced by tags; idempotent, never raises on a str."""
    if _HAS_FULL_WIDTH.search(text):
        text = text.translate(_FULL_WIDTH)
    if _known_pattern is not None:
        text = _known_pattern.sub("[secret]", text)
    # A tag can free a neighbour that was glued to what it replaced: repeat to the fixed point, which makes
    # redact idempotent. Text that changed in round one is checked once more; the bound is a backstop.
    for _ in range(MAX_ROUNDS):
        redacted = _round(text)
        if redacted == text:
            break
        text = redacted
    return text


def _round(text: str) -> str:
    lowered = text.lower()
    if any(hint in lowered for hint in _SECRET_HINTS):
        text = _SECRETS.sub(_secret, text)
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    if _DIGIT.search(text):
        text = _CARD.sub(_card, text)
        text = _NUMBERS.sub(_number, text)
        text = _PLATE.sub("[plate]", text)
    return text


def register_secret(value: Any) -> bool:
    """Mask `value` (a str, or anything with `get_secret_value()`) verbatim wherever it appears.

    Returns False when it was too short to register: a 3-character key would mask ordinary words.
    """
    global _known_pattern
    raw = value.get_secret_value() if hasattr(value, "get_secret_value") else value
    if not isinstance(raw, str) or len(raw.strip()) < MIN_SECRET_CHARS or any(raw in tag for tag in TAGS):
        return False
    _known_secrets.add(raw)
    # Longest first, so a secret that contains another is masked whole.
    alternatives = sorted(_known_secrets, key=len, reverse=True)
    _known_pattern = re.compile("|".join(re.escape(s) for s in alternatives))
    return True


def forget_secrets() -> None:
    """Drop every registered secret (for tests)."""
    global _known_pattern
    _known_secrets.clear()
    _known_pattern = None


def _secret(match: re.Match[str]) -> str:
    if match.lastgroup == "keyed":
        value = match.group("keyed_v")
        quote = value[0] if value[0] in "\"'" else ""
        return f"{match.group('keyed_k')}{quote}[secret]{quote}"
    if match.lastgroup in ("auth", "bearer"):
        return match.group(f"{match.lastgroup}_k") + "[secret]"
    return "[secret]"


def _number(match: re.Match[str]) -> str:
    kind = match.lastgroup
    return match.group() if kind is None or kind == "keep" else _TAG_OF[kind]


def _card(match: re.Match[str]) -> str:
    text = match.group()
    digits = [int(c) for c in text if c.isdigit()]
    if not 15 <= len(digits) <= 19 or not _luhn_ok(digits) or _ID.fullmatch(text):
        return text  # a resident ID number can pass the checksum too; the next pass tags it `[id]`
    return "[card]"


def _luhn_ok(digits: list[int]) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0
