"""Script checks: the items a call is checked against, as data (phrases, patterns, scopes) (S2.2, S2.4, S2.6)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from django.utils.translation import gettext_lazy as _

from .text import Match, find_phrase, normalise

Kind = Literal["required", "forbidden"]
Scope = Literal["opening", "staff", "all"]

COMPLAINT_KINDS = frozenset({"complaint"})


@dataclass(frozen=True)
class Phrase:
    """One way of saying an item: a literal matched fuzzily, or a regex on the normalised text.

    `unless`: a regex match containing one of these (normalised) strings does not count, e.g. the
    caller's own department in a "call department X" pattern.
    """

    text: str
    max_edits: int | None = None  # None: default_max_edits(); 0: exact
    regex: bool = False
    unless: tuple[str, ...] = ()

    def find(self, text: str) -> Match | None:
        if not self.regex:
            return find_phrase(_normalise_phrase(self.text), text, self.max_edits)
        for found in _compiled(self.text).finditer(text):
            if not any(u and u in found.group() for u in self.unless):
                return Match(found.start(), found.end(), 0)
        return None


@lru_cache(maxsize=1024)
def _normalise_phrase(text: str) -> str:
    return normalise(text)


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def exact(text: str) -> Phrase:
    """A literal that must appear as written (after normalisation): names, and short phrases
    where one wrong character changes the meaning (留个电话 / 打个电话)."""
    return Phrase(text, max_edits=0)


def pattern(regex: str, unless: Iterable[str] = ()) -> Phrase:
    return Phrase(regex, regex=True, unless=tuple(normalise(u) for u in unless))


@dataclass(frozen=True)
class CheckItem:
    key: str
    rule_id: str
    label: str  # lazy translation
    kind: Kind
    phrases: tuple[Phrase | str, ...]  # a plain string is a literal with the default edits
    scope: Scope

    def __post_init__(self):
        phrases = tuple(p if isinstance(p, Phrase) else Phrase(p) for p in self.phrases)
        object.__setattr__(self, "phrases", phrases)


LABELS = {
    "greeting": _("Greeting in the opening"),
    "company": _("Company named in the opening"),
    "department": _("Department named in the opening"),
    "own_name": _("Own name given in the opening"),
    "offer_help": _("Offer of help in the opening"),
    "apology": _("Apology to the caller"),
    "recorded": _("Caller told the complaint is recorded"),
    "report": _("Promise to report to the person in charge"),
    "contact_number": _("Contact number asked for"),
    "no_redirect": _("Caller not sent to phone another department"),
}


@dataclass(frozen=True)
class ScriptContext:
    """Who answered: store, department and person, with accepted short forms."""

    store_name: str = ""
    department_name: str = ""
    person_name: str = ""
    store_aliases: Sequence[str] = ()
    department_aliases: Sequence[str] = ()
    person_aliases: Sequence[str] = ()
    staff_number: str = ""  # 工号; "工号1024" and "1024号" then name the person too

    def staff_names(self) -> tuple[str, ...]:
        return (self.person_name, *self.person_aliases)


_STORE_SUFFIXES = ("4s店", "4s", "专营店", "特约店", "店")
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "令狐",
    "慕容",
    "夏侯",
    "尉迟",
    "公孙",
    "长孙",
    "宇文",
    "司徒",
)
# The departments S2.2 names, and what people say instead.
_DEPARTMENT_ALIASES = {
    "客服部": ("客户服务部", "客服中心", "客户服务中心"),
    "续保部": ("续保中心", "续保专员"),
    "客户休息室": ("休息室", "客户休息区"),
    "休闲中心": ("客户休闲中心",),
}


def store_variants(names: Iterable[str]) -> list[str]:
    """The store's names as said on the phone: 亦庄4S店 → 亦庄4s店, 亦庄店, 亦庄."""
    out: list[str] = []
    for name in map(normalise, names):
        if not name:
            continue
        out.append(name)
        for suffix in _STORE_SUFFIXES:
            core = name.removesuffix(suffix)
            if core != name and len(core) >= 2:
                out.extend([core + "4s店", core + "店", core])
                break
    return list(dict.fromkeys(out))


def department_variants(names: Iterable[str]) -> list[str]:
    """客服部 → 客服部, 客服部门, 客服中心, 客户服务部 ..."""
    out: list[str] = []
    for name in map(normalise, names):
        if not name:
            continue
        out.extend([name, *map(normalise, _DEPARTMENT_ALIASES.get(name, ()))])
        if name.endswith("部") and len(name) >= 3:
            out.extend([name + "门", name[:-1] + "中心"])
    return list(dict.fromkeys(out))


def person_variants(context: ScriptContext) -> list[str]:
    """Full name, given name of two characters or more (王晓明 → 晓明), aliases, staff number."""
    out: list[str] = []
    full = normalise(context.person_name)
    if full:
        out.append(full)
        surname = 2 if full.startswith(_COMPOUND_SURNAMES) else 1
        if 2 <= len(full) - surname and len(full) <= 4:
            out.append(full[surname:])
    out.extend(n for n in map(normalise, context.person_aliases) if n)
    number = normalise(context.staff_number)
    if number:
        out.extend(["工号" + number, number + "号"])
    return list(dict.fromkeys(out))


_GREETING = ("您好", "早上好", "上午好", "中午好", "下午好", "晚上好", "欢迎致电", "欢迎来电")
_OFFER_HELP = (
    "有什么可以帮您",
    "有什么可以帮助您",
    "有什么能帮您",
    "有什么需要",
    "为您服务",
    exact("请讲"),
    exact("请说"),
)
_APOLOGY = ("对不起", "抱歉", "不好意思", "给您添麻烦", "给您带来不便", "深表歉意", "致歉", "对不住")
_RECORDED = (
    pattern(r"记下|记好|登记|备案|写下来|记录(?:下来|好了|在案|了)|(?:已经|已|帮您|给您|做了|做好|都|这边|马上)记录"),
)
_REPORT_VERBS = r"(?:反映|汇报|上报|转告|反馈|报告|转达|通报)"
_REPORT = (
    pattern(_REPORT_VERBS + r"(?:给|到|上去)"),
    pattern(r"(?:马上|立即|立刻|尽快|第一时间|这就|现在就|会|帮您)[^您]{0,8}?" + _REPORT_VERBS),
    pattern(r"(?:告诉|通知|交给|转给|报给)[^您]{0,6}?(?:负责人|主管|经理|领导|站长|上级|总监)"),
)
_CONTACT_NUMBER = (
    "联系电话",
    "联系方式",
    "怎么联系您",
    exact("联系到您"),  # 联系您 alone is a promise to call, not a question
    exact("手机号"),
    exact("您的电话"),
    exact("您的手机"),
    exact("您的号码"),
    exact("留个电话"),
    exact("留一下电话"),
    exact("留下电话"),
    exact("本机号码"),
    exact("回电号码"),
    pattern(r"您\w{0,3}?(?:电话|手机|号码)\w{0,2}?(?:多少|是)"),
)

# S2.4: "never send the caller to call department X". The shape: (you) + call verb + a department,
# a person in charge, another number. Not forbidden: we call the customer (给您打, 帮您打), the caller
# calls us again (您再打过来, S2.3), a question (您找哪个部门? 您打售后部吗? 您找张经理是吧?), a
# transfer (S2.5), other uses of 打 (打蜡, 打火, 打算). 找 (ask for) counts only with "you should"
# (您得找售后部), since repeating whom the caller asks for (您找张经理, S2.3) is fine.
_PHONE = r"(?:打电话给|打电话到|打给|打到|拨打|打|拨|致电|联系)"
_ADVERBS = r"(?:可以|得|要|需要|最好|还是|就|先|去|自己|直接|再|另外|重新|单独|稍后|回头|明天|改天){0,3}"
_SHOULD = r"(?:可以|得|要|需要|最好|还是|直接|自己|去)"
_NOT_BACK = r"(?!过来|回来|错|不通|扰|算|开|印|折|分|蜡|气|火|滑|包|卡|针|车(?!间)|我(?!们))"
_GAP = r"(?:一下)?(?:给|到)?[^哪什谁吗么呢]{0,8}?"
_TARGET = (
    r"(?:部门|部|前台|中心|热线|专线|分机|总机|座机|办公室|车间|那边|经理|主管|主任|顾问|售后|销售|财务|配件|钣喷"
    r"|(?:这个|那个|下面的?|以下的?|另一个|另外一个|其他)(?:号码|电话|号)|\d{5,})"
)
_TAIL = r"(?:部门|部)?(?:[\u4e00-\u9fff]{0,4}?的?(?:电话|号码|热线|手机|座机|分机))?"  # so the evidence reads "…的电话"
_NOT_QUESTION = r"(?!\w{0,3}?(?:吗|么|呢|是吧|对吧|是不是|对不对))"
_YOU = r"(?<![给帮为替])您"
_REDIRECT = (
    rf"{_YOU}{_ADVERBS}{_PHONE}{_NOT_BACK}{_GAP}{_TARGET}{_TAIL}{_NOT_QUESTION}",  # 您直接打售后前台的电话
    rf"{_YOU}{_ADVERBS}{_SHOULD}找{_GAP}{_TARGET}{_TAIL}{_NOT_QUESTION}",  # 您得找售后部门
    rf"{_YOU}{_ADVERBS}给[^哪什谁吗么呢]{{0,8}}?{_TARGET}[^您]{{0,3}}?(?:打|拨|致电)",  # 您给售后前台打个电话
    rf"(?<![我们给帮为替])(?:请|麻烦)?(?:直接|自己){_PHONE}{_NOT_BACK}{_GAP}{_TARGET}{_TAIL}{_NOT_QUESTION}",
    rf"{_YOU}{_ADVERBS}(?:打|拨|致电)过去",  # 号码给您了，您打过去问问
)
# Without a name in the context, a shape that names something is accepted (still checked).
_ANY_STORE = pattern(r"[a-z0-9\u4e00-\u9fff]{2,8}(?:4s店|店)")
_ANY_DEPARTMENT = pattern(r"[\u4e00-\u9fff]{1,4}(?:部|中心|休息室)")
_ANY_NAME = pattern(r"(?:我是|我叫|工号)[a-z0-9\u4e00-\u9fff]")


def build_items(call_kind: str, context: ScriptContext) -> list[CheckItem]:
    """The items a call of this kind is checked against, with the context's names filled in.

    S2.2 opening for every call; S2.4 and S2.6 complaint handling when call_kind is a complaint;
    the S2.4 forbidden move (sending the caller to phone another department) for every call.
    """
    stores = [exact(s) for s in store_variants([context.store_name, *context.store_aliases])]
    own_departments = department_variants([context.department_name, *context.department_aliases])
    people = [exact(p) for p in person_variants(context)]
    items = [
        CheckItem("greeting", "S2.2", LABELS["greeting"], "required", _GREETING, "opening"),
        CheckItem("company", "S2.2", LABELS["company"], "required", tuple(stores) or (_ANY_STORE,), "opening"),
        CheckItem(
            "department",
            "S2.2",
            LABELS["department"],
            "required",
            tuple(map(exact, own_departments)) or (_ANY_DEPARTMENT,),
            "opening",
        ),
        CheckItem("own_name", "S2.2", LABELS["own_name"], "required", tuple(people) or (_ANY_NAME,), "opening"),
        CheckItem("offer_help", "S2.2", LABELS["offer_help"], "required", _OFFER_HELP, "opening"),
    ]
    if call_kind in COMPLAINT_KINDS:
        items += [
            CheckItem("apology", "S2.4", LABELS["apology"], "required", _APOLOGY, "staff"),
            CheckItem("recorded", "S2.4", LABELS["recorded"], "required", _RECORDED, "staff"),
            CheckItem("report", "S2.6", LABELS["report"], "required", _REPORT, "staff"),
            CheckItem("contact_number", "S2.6", LABELS["contact_number"], "required", _CONTACT_NUMBER, "staff"),
        ]
    # The caller's own department is not "another department": 您打我们客服部的热线 from 客服部.
    own = [*own_departments, *(d[:-1] for d in own_departments if d.endswith("部") and len(d) >= 3)]
    redirect = tuple(pattern(p, unless=own) for p in _REDIRECT)
    items.append(CheckItem("no_redirect", "S2.4", LABELS["no_redirect"], "forbidden", redirect, "staff"))
    return items
