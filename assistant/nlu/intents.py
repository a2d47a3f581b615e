"""What a message does in the conversation: greet, accept or reject an offer, ask for a human, signal a case
the assistant must hand over (injury, dispute, fraud), or try to override the assistant's instructions.

Lexical patterns in both languages; `assistant.nlu.intent_vectors` adds an embedding fallback for paraphrases.
"""

from __future__ import annotations

import re

from assistant.nlu.rejection import is_rejection
from assistant.nlu.shops import own_shop_name
from assistant.nlu.text import Doc, any_of

INTENTS: tuple[str, ...] = (
    "greeting", "accept", "reject", "more_options", "own_shop", "human", "angry", "injury", "dispute",
    "fraud_signal", "thanks", "injection",
)  # fmt: skip

_PATTERNS: dict[str, re.Pattern[str]] = {
    "greeting": re.compile(
        r"^\W*(?:" + any_of(
            "hi", "hello", "hey", "hiya", "yo", "greetings", "(?:good )?(?:morning|afternoon|evening)",
            "你好", "您好", "嗨", "哈喽", "哈啰", "早上好", "早安", r"早(?=\W)", "下午好", "晚上好", "在吗",
            "在不在",
        ) + r")(?![a-z])",
        re.I,
    ),
    "more_options": re.compile(
        any_of(
            r"\banything (?:else|closer|cheaper|nearer|better|faster|quicker)\b",
            r"\bother (?:options?|shops?|places?|ones?|choices?)\b", r"\bsomething else\b",
            r"\bmore (?:options|shops|choices)\b", r"\bshow me more\b", r"\bany others?\b",
            r"\banother (?:one|shop|option|place)\b", r"\balternatives?\b", r"\bwhat else\b",
            r"\bgot anything\b", r"\bnext one\b",
            "还有(?:没有)?别的", "还有其他", "其[他它](?:的)?(?:吗|呢|店|家|选择|推荐|$)",
            "别的(?:吗|呢|店|家|选择|推荐)",
            "换一家", "换一个", "换个", "换一批", "换几家", "有没有其他",
            "再推荐", "更多", "有没有.{0,6}点的", "有.{0,6}点的吗", "再给我",
            "再找",
        ),
        re.I,
    ),
    "own_shop": re.compile(
        any_of(
            r"\bmy own (?:shop|mechanic|garage|guy|place|repairer)\b",
            r"\bmy (?:usual|regular|trusted|local) (?:shop|mechanic|garage|guy)\b",
            r"\bi (?:already )?(?:have|know) a (?:shop|mechanic|garage|guy)\b",
            r"\b(?:find|choose|pick|use) my own\b", r"\bprefer my own\b",
            r"\bmy (?:cousin|brother|sister|friend|uncle|dad|father|mate|buddy|neighbou?r)'?s? "
            r"(?:garage|shop|place|workshop)\b",
            "我(?:的)?(?:表哥|表弟|哥哥?|弟弟?|朋友|亲戚|叔叔|舅舅|同学|老乡)(?:在.{0,6})?(?:开)?的(?:修理厂|店|车行|汽修)",
            "自己(?:熟悉|认识|找)的", "我有(?:自己)?(?:熟悉|认识|常去)的", "我自己找", "常去的(?:店|修理厂)",
            "朋友的(?:修理厂|店|车行)", "自己选",
        ),
        re.I,
    ),
    "human": re.compile(
        any_of(
            r"\bhuman\b", r"\breal person\b", r"\b(?:an? |the |live |human )agent\b", r"\brepresentative\b",
            r"\bcustomer service\b", r"\boperator\b", r"\bsomeone real\b",
            r"\b(?:talk|speak) (?:to|with) (?:a |an |someone|somebody)",
            r"\bcall me\b", r"\b(?:on|over) the phone\b",
            "人工", "真人", "客服", "找个人", "打(?:个)?电话给我", "给我打(?:个)?电话", "联系我", "电话里",
        ),
        re.I,
    ),
    "angry": re.compile(
        any_of(
            r"\bridiculous\b", r"\buseless\b", r"\bterrible service\b", r"\bworst\b", r"\bfurious\b",
            r"\bangry\b", r"\bpissed\b", r"\bwtf\b", r"\bdamn\b", r"\bstupid\b", r"\bidiot\w*", r"\bjoke\b",
            r"\bfed up\b", r"\bsick of\b", r"\bunacceptable\b", r"\bscam\b", "!{2,}",
            "破系统", "垃圾", "气死", "什么破", "废物", "没用", "一点用都没有", "太差劲", "投诉", "受够了",
            "搞什么",
            "有病", "滚", "生气", "愤怒", "火大", "恼火",
        ),
        re.I,
    ),
    "dispute": re.compile(
        any_of(
            r"\bnot my fault\b",
            r"\b(?:says?|said|claims?|claimed|insists?) (?:it was |it's |that it was )?my fault\b",
            r"\bblam(?:e|es|ed|ing) me\b", r"\bliabilit\w+", r"\bdispute\b", r"\bdisagree\w*",
            r"\brefus\w+ to (?:admit|accept|pay)", r"\badmit fault\b", r"\blying\b", r"\blawyer\b",
            r"\bsue\b",
            r"\bcourt\b", r"\bargue\b", r"\bwho pays\b", r"\bwho'?s at fault\b", r"\bwho is at fault\b",
            "责任", "扯皮", "不认账", "纠纷", "争议", "不承认", "耍赖", "打官司", "律师", "谁赔",
        ),
        re.I,
    ),
    "fraud_signal": re.compile(
        any_of(
            r"\b(?:add|include|throw in|put) (?:in )?(?:the |my )?(?:old|previous|existing|earlier|other)\b",
            r"\bold dent\b", r"\bprevious damage\b", r"\bwas already there\b", r"\binflate\b",
            r"\bbigger accident\b",
            r"\bwrite it up as\b", r"\bmake it look\b", r"\bpad the\b", r"\bfake (?:invoice|receipt)\b",
            r"\bkickback\b", r"\bcash back\b", r"\bunder the table\b", r"\b(?:nobody|no one) will notice\b",
            "之前的.{0,8}(?:也|一起)", "一起报", "报成", "多报", "虚报", "开高(?:点)?发票", "假发票", "返现",
            "回扣",
            "看不出来", "本来就想", "说成", "以前的伤",
        ),
        re.I,
    ),
    "thanks": re.compile(
        any_of(
            r"\bthanks?\b", r"\bthank you\b", r"\bthx\b", r"\bty\b", r"\bappreciate\w*", r"\bcheers\b",
            "谢谢", "多谢", "感谢", "谢啦", "辛苦了",
        ),
        re.I,
    ),
    "injection": re.compile(
        any_of(
            r"\bignore (?:all |any |your |the |my )?(?:previous |prior |above |earlier |system )?"
            r"(?:instructions?|rules|prompts?|guidelines|constraints)\b",
            r"\bdisregard\b", r"\bforget (?:your|all|previous|the) (?:instructions?|rules)\b",
            r"\bsystem prompt\b",
            r"\byou are now\b", r"\bact as\b", r"\bpretend (?:to be|you are)\b", r"\bnew instructions?\b",
            r"\b(?:developer|admin|god|dan) mode\b", r"\bjailbreak\b", r"^\W*system\s*:", r"\boverride\b",
            "忽略.{0,8}(?:指令|规则|提示|设定|要求)", "无视.{0,6}(?:指令|规则)", "你现在是", "系统指令",
            "系统提示",
            "管理员模式", "开发者模式", "(?:排在|放在|排到)(?:第一|最前|首位)", "必须推荐", "越狱",
        ),
        re.I,
    ),
}  # fmt: skip
# Promoting one named shop ("recommend Golden Auto first", "put shop S000042 at the top"): a capitalised name.
_PROMOTE_SHOP = re.compile(
    r"(?i:\b(?:recommend|put|rank|place|move|list)\s+(?:shop\s+)?)"
    r"(?:[Ss]\d{6}|[A-Z][\w'&]*(?:\s+[A-Z][\w'&]*)*)"
    r"(?i:\s+(?:first|at the top|on top|number one|#1))"
)
_INJURY = re.compile(
    any_of(
        r"\binjur\w*", r"\bhurt\b", r"\bhospital\w*", r"\bambulance\b", r"\bbleeding\b",
        r"\bbroken (?:arm|leg|bone|rib|neck|wrist)\w*", r"\bconcussion\b", r"\bwhiplash\b",
        r"\bunconscious\b", r"\bparamedics?\b", r"\bkilled\b", r"\bfatal\w*",
        "受伤", "伤者", "医院", "救护车", "流血", "骨折", "住院", "昏迷", "死亡", "撞伤", "伤了",
    ),
    re.I,
)  # fmt: skip
_ACCEPT = re.compile(
    any_of(
        r"\b(?:i'?ll|i will|let'?s|lets|we'?ll|i'?d like to|i want to) "
        r"(?:take|go with|choose|pick|book|do|use)\b",
        r"\bi'?ll go (?:there|to the (?:one|shop|place|first|second|third|last))\b",
        r"\bbook (?:me|it)\b", r"\bsounds good\b", r"\bthat works\b", r"\bgo ahead\b", r"\bi choose\b",
        r"^\W*(?:ok|okay|yes|yep|yeah|sure|great|perfect|deal|fine)\W*$",
        r"^\W*(?:ok|okay|yes|sure)\b,? (?:the|that|this|book|let)",
        "就(?:选|定)", "就(?:去|要)(?:这|那|它|第|[Ss]\\d)", "就这家", "就它了", "就那家", "选第", "定了",
        "订这",
        "我(?:就)?去.{0,8}(?:那家|这家|第.家)", r"^\W*(?:好的|好|行|可以|没问题|嗯|ok)\W*(?:吧|,|$)",
    ),
    re.I,
)  # fmt: skip
_RANK_EN = re.compile(
    any_of(
        r"\b(?:the )?(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last)"
        r"(?: one| shop| option| place| garage)\b",
        r"\b(?:number|option|#)\s?([1-5])\b",
        r"\b(?:take|choose|pick|go with) (?:the )?(first|second|third|last)\b",
    ),
    re.I,
)  # fmt: skip
_RANK_ZH = re.compile(r"第([一二三四五1-5])(?:家|个|名|项)|(最后)(?:一|那)?(?:家|个)")
_RANKS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5,
    "5th": 5, "last": -1, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
}  # fmt: skip


def detect_intents(text: str) -> frozenset[str]:
    """The conversational intents of one message (any number of `INTENTS`)."""
    return intents_of(Doc.of(text))


def intents_of(doc: Doc) -> frozenset[str]:
    found = {name for name, pattern in _PATTERNS.items() if pattern.search(doc.text)}
    if _PROMOTE_SHOP.search(doc.text):
        found.add("injection")
    if any(not doc.negated(m.start(), m.end()) for m in _INJURY.finditer(doc.text)):
        found.add("injury")
    if is_rejection(doc):
        found.add("reject")
    if own_shop_name(doc) and re.search(r"\b(?:i'?ll|go|use|take)\b|我就去|我去|去那", doc.text, re.I):
        found.add("own_shop")
    ranked = rank_of(doc) is not None and "reject" not in found
    if "own_shop" not in found and "injection" not in found and (_ACCEPT.search(doc.text) or ranked):
        found.add("accept")
    return frozenset(found)


def chosen_rank(text: str) -> int | None:
    """The offered shop the customer picks: 1, 2, 3 ('the second one', '第二家'), -1 for 'the last one'."""
    return rank_of(Doc.of(text))


def rank_of(doc: Doc) -> int | None:
    match = _RANK_ZH.search(doc.text)
    if match:
        if match.group(2):  # "最后一家": the last one on the table
            return -1
        return int(match.group(1)) if match.group(1).isdigit() else _RANKS[match.group(1)]
    match = _RANK_EN.search(doc.text)
    if match:
        word = next(g for g in match.groups() if g)
        return int(word) if word.isdigit() else _RANKS[word.lower()]
    return None
