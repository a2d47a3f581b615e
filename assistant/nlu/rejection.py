"""Why a customer turns a shop down (the schema's reasons), and whether a message is a rejection at all."""

from __future__ import annotations

import re

from assistant.nlu.text import Doc, any_of

_REASONS: dict[str, re.Pattern[str]] = {
    "too_far": re.compile(
        any_of(
            r"\btoo far\b", r"\bfar away\b", r"\b\d+\s*km away\b", r"\bmiles away\b", r"\blong drive\b",
            r"\bout of the way\b", r"\bdistance is too\b", r"\b(?:over|more than) \d+\s*km\b",
            "太远", "远了", "有点远", "太偏", "距离太", r"\d+\s*(?:公里|km)(?:以外|之外|外|以上)",
            r"超过\s*\d+\s*(?:公里|km)",
        ),
        re.I,
    ),
    "wants_authorized": re.compile(
        any_of(
            r"\bwant (?:a|an|the) (?:[\w-]+ ){0,2}(?:4s|dealer|authori[sz]ed|official)",
            r"\b(?:only|must be|has to be|should be) (?:a |an )?(?:dealer|4s|authori[sz]ed|official)",
            r"\bnot (?:a dealer|authori[sz]ed|official)", r"\bisn'?t (?:a dealer|authori[sz]ed)",
            "要(?:去)?[\u4e00-\u9fffA-Za-z]{0,6}4s", "只要4s", "不是4s", "不是授权", "要原厂", "要授权",
            "必须.{0,4}(?:4s|授权|原厂|官方)",
        ),
        re.I,
    ),
    "low_quality": re.compile(
        any_of(
            r"\b(?:bad|terrible|awful|poor|horrible) (?:reviews?|ratings?|reputation)\b", r"\blow rating\b",
            r"\b(?:poorly|low) rated\b", r"\bsketchy\b", r"\bdodgy\b", r"\bshady\b",
            r"\b(?:low|poor) quality\b",
            r"\bdon'?t trust\b", "不靠谱", "评价.{0,3}差", "评分.{0,3}低", "口碑.{0,2}差", "差评",
            "质量.{0,2}差",
            "不放心", "信不过",
        ),
        re.I,
    ),
    "too_slow": re.compile(
        any_of(
            r"\btoo (?:slow|long)\b", r"\btakes? (?:too |so )?long\b", r"\blong wait\b",
            r"\bcan'?t take (?:it|me|the car) until\b", r"\bnot until\b", r"\b(?:fully )?booked up\b",
            r"\bfully booked\b", r"\bqueue\b", r"\btaking forever\b",
            "太慢", "要等", "排队", "排到", "等太久", "时间太长", "太久",
        ),
        re.I,
    ),
    "too_expensive": re.compile(
        any_of(
            r"\btoo (?:expensive|pricey|much)\b", r"\boverpriced\b", r"\bpricey\b", r"\brip[- ]?off\b",
            r"\bcosts? too much\b", "太贵", "贵了", "报价太高", "价格太高", "收费太高", "太坑",
        ),
        re.I,
    ),
    "bad_experience": re.compile(
        any_of(
            r"\b(?:been|went) there (?:before|last)\b", r"\blast time\b", r"\bbad experience\b",
            r"\bterrible experience\b", r"\bnever again\b", r"\bused them before\b",
            r"\bthey (?:messed|screwed) (?:it )?up\b", "上次", "去过", "以前去过", "体验.{0,3}差", "再也不",
            "之前在那",
        ),
        re.I,
    ),
}  # fmt: skip
_EXPLICIT = re.compile(
    any_of(
        # a bare "no" ("No.", "nope, ...", "no that's too far"), not "no rush" or "no loaner needed"
        r"^\W*(?:no|nope|nah|meh)\b(?=\W*$|\s*[,.!;]|\s+(?:thanks|thank you|way|not|that|this|i|dont|don't))",
        r"\bnot (?:that|this|those|these) (?:one|shop|place|garage)s?\b",
        r"\bdon'?t (?:like|want) (?:that|this|it|them|those|these)\b",
        r"\bdont like\b",
        r"\bno way\b",
        r"\bnot feeling\b",
        r"\bi'?ll pass\b",
        r"\bpass on\b",
        r"\bnot interested\b",
        r"\bnone of (?:these|those|them)\b",
        r"\bnot (?:some|just any|any old) \w+",
        r"\bnot (?:comfortable|happy|keen) with (?:any|these|those|them|this|that)\b",
        "不要这家",
        "不要那家",
        "不去",
        "不喜欢",
        r"^\W*算了",
        "不考虑",
        "这家不",
        "那家不",
        "换一家",
        "换一个",
        "换个",
        "都不行",
        "不满意",
        "不要随便",
    ),
    re.I,
)  # fmt: skip
# Words that point at an offered shop: a reason aimed at one of them is a rejection.
_OFFER = re.compile(
    any_of(
        r"\b(?:this|that) (?:one|shop|place|garage)\b", r"\bthis one'?s?\b", r"\bthat one'?s?\b",
        r"\bthese\b",
        r"\bthose\b", r"\bthe (?:first|second|third|last) one\b",
        r"\byou (?:suggested|recommended|sent|offered|picked|gave)\b", r"\b(?:keep )?sending me\b",
        r"(?<![a-z0-9])s\d{6}(?!\d)", r"\boption \d\b", r"\bthe shops? you\b",
        r"\bit'?s (?:(?:way|much|a bit) )?too\b",
        "这家", "那家", "这个", "那个", "这些", "那些", "第[一二三四五1-5]家", "推荐的", "这几家", "都是",
    ),
    re.I,
)  # fmt: skip


def reasons_in(doc: Doc) -> list[str]:
    """Reasons stated in the message (not negated), in the order said."""
    found = []
    for name, pattern in _REASONS.items():
        match = next((m for m in pattern.finditer(doc.text) if not doc.negated(m.start(), m.end())), None)
        if match is not None:
            found.append((match.start(), name))
    return [name for _, name in sorted(found)]


def is_rejection(doc: Doc) -> bool:
    """A 'no' to an offered shop: said outright, or a reason aimed at the offer ('this one is too far')."""
    return bool(_EXPLICIT.search(doc.text)) or bool(reasons_in(doc) and _OFFER.search(doc.text))


def classify_rejection(text: str) -> list[str]:
    """The schema's rejection reasons in a rejection message; ['other'] when no known reason is given."""
    return reasons_in(Doc.of(text)) or ["other"]
