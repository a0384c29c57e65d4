"""Script checks on call transcripts: the S2.2 opening, S2.4 and S2.6 complaint handling, and the S2.4
forbidden move, on realistic Chinese transcripts. Pure Python: no database."""

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phone.script_check.check import check_transcript
from phone.script_check.items import LABELS, ScriptContext, build_items
from phone.script_check.text import _best_end, find_phrase, levenshtein, normalise
from phone.script_check.turns import parse_transcript

YIZHUANG = ScriptContext(
    store_name="一汽丰田亦庄店",
    store_aliases=("亦庄店", "亦庄4S店"),
    department_name="客服部",
    person_name="李娜",
)
RENEWAL = ScriptContext(store_name="亦庄4S店", department_name="续保部", person_name="王晓明")

GOOD_OPENING = "您好，一汽丰田亦庄店客服部，我是李娜，请问有什么可以帮您？"

GOOD_COMPLAINT = """\
[00:00:02] 坐席：您好，一汽丰田亦庄店客服部，我是李娜，请问有什么可以帮您？
[00:00:06] 客户：我上周六在你们店做的保养，今天早上发现机油漏了一地！你们怎么干活的？
[00:00:15] 坐席：非常抱歉，给您添麻烦了。您别着急，您慢慢说，我听着。
[00:00:19] 客户：就是车停在小区里，底下一摊油，车牌京A12345，卡罗拉。
[00:00:30] 坐席：好的，您说的情况我已经记录下来了：上周六保养，今天早上发现漏油，车牌京A12345。
[00:00:41] 坐席：我马上向我们服务经理汇报，今天下午五点前一定给您答复。请问您的联系电话是这个号码吗？
[00:00:50] 客户：对，就打这个。
[00:00:52] 坐席：好的，再次向您道歉，我们会尽快处理。
"""


def check(text, kind="enquiry", context=YIZHUANG):
    return check_transcript(text, call_kind=kind, context=context)


def outcome(result):
    """What a result says, without the snippets (which keep the original punctuation)."""
    return result.score, [(i.key, i.passed, i.phrase, i.edits) for i in result.items]


def item(result, key):
    return next(i for i in result.items if i.key == key)


def failed(result):
    return [i.key for i in result.failed]


# ---------------------------------------------------------------------------------------------
# Normalisation and fuzzy matching


def test_normalise_folds_full_width_punctuation_spaces_and_case():
    assert normalise("您好，亦庄４Ｓ店　客服部！") == "您好亦庄4s店客服部"
    assert normalise("  你好 ， 亦庄4s店…客服部——李娜~  ") == "您好亦庄4s店客服部李娜"
    assert normalise("《一汽丰田》“亦庄店”（客服部）·李娜；") == "一汽丰田亦庄店客服部李娜"
    assert normalise("") == ""
    assert normalise(None) == ""


def test_phrase_matches_with_one_inserted_character():
    match = find_phrase(normalise("请问有什么可以帮您"), normalise("您好，请问有什么可以帮助您？"))
    assert match is not None and match.edits == 1
    assert normalise("您好，请问有什么可以帮助您？")[match.start : match.end] == "请问有什么可以帮助您"


def test_phrase_matches_with_a_shorter_wording():
    """有什么可以帮您 (7 characters, two edits allowed) also finds 有什么能帮您."""
    match = find_phrase("有什么可以帮您", "您好有什么能帮您")
    assert match is not None and match.edits == 2


def test_short_phrases_and_far_wordings_do_not_match():
    assert find_phrase("客服部", "客户部") is None  # under four characters: exact only
    assert find_phrase("请问有什么可以帮您", "今天天气不错") is None
    assert find_phrase("有什么可以帮您", "没什么可以说的") is None


@settings(max_examples=300)
@given(st.text(alphabet="abc您好", min_size=1, max_size=7), st.text(alphabet="abc您好x", max_size=25))
def test_bit_vector_search_agrees_with_plain_edit_distance(pattern, text):
    naive = min(levenshtein(pattern, text[i:j]) for i in range(len(text) + 1) for j in range(i, len(text) + 1))
    edits, _end = _best_end(pattern, text)
    assert edits == naive
    match = find_phrase(pattern, text, max_edits=2)
    if naive <= 2 and naive < len(pattern):  # a "match" made only of edits is no match
        assert match is not None and match.edits == naive
        assert levenshtein(pattern, text[match.start : match.end]) == naive
    else:
        assert match is None


# ---------------------------------------------------------------------------------------------
# S2.2 the opening


def test_standard_opening_passes_every_item():
    """S2.2: greeting, company, department, own name, offer of help."""
    result = check(GOOD_OPENING)
    assert result.score == 100
    assert failed(result) == []
    assert item(result, "company").evidence == "一汽丰田亦庄店"
    assert item(result, "own_name").evidence == "李娜"


def test_opening_with_spaces_short_store_name_and_for_you_service_passes():
    """S2.2: 你好 counts as a greeting, the short form 亦庄店 names the company."""
    result = check("你好 亦庄店 客服部 李娜为您服务")
    assert result.score == 100
    assert item(result, "greeting").evidence == "你好"
    assert item(result, "company").evidence == "亦庄店"


def test_opening_typed_in_full_width_passes():
    result = check("您好！亦庄４Ｓ店客服部，我是李娜。请问有什么可以帮助您的？")
    assert result.score == 100
    assert item(result, "company").evidence == "亦庄４Ｓ店"


def test_opening_with_a_small_wording_variation_passes():
    result = check("喂，你好，亦庄店客服部李娜，请问有什么可以帮到您的？")
    assert item(result, "offer_help").passed
    assert item(result, "offer_help").edits == 1


def test_opening_without_the_own_name_fails_that_item_only():
    """S2.2: the person must name themselves."""
    result = check("您好，一汽丰田亦庄店客服部，请问有什么可以帮您？")
    assert failed(result) == ["own_name"]
    assert result.score == 83


def test_opening_without_the_department_fails_that_item_only():
    """S2.2: the department must be named."""
    result = check("您好，一汽丰田亦庄店，我是李娜，有什么可以帮您？")
    assert failed(result) == ["department"]


def test_a_sister_store_name_does_not_count_as_the_company():
    """Names are matched exactly: 望京店 is one character pair away from 亦庄店 but another store."""
    result = check("您好，一汽丰田望京店客服部，我是李娜，请问有什么可以帮您？")
    assert failed(result) == ["company"]


def test_given_name_and_other_department_pass_for_renewals():
    """S2.2 names 续保部; a person may give only the given name of two characters."""
    result = check("上午好，亦庄店续保部，我是晓明，请问有什么可以帮您？", context=RENEWAL)
    assert result.score == 100
    assert item(result, "own_name").evidence == "晓明"


def test_staff_number_names_the_person():
    context = ScriptContext(store_name="亦庄店", department_name="客服部", person_name="李娜", staff_number="1024")
    result = check("您好，亦庄店客服部，工号1024为您服务。", context=context)
    assert item(result, "own_name").passed


def test_name_said_only_late_in_an_unlabelled_call_is_not_the_opening():
    """Without labels the opening is the first 60 characters."""
    text = "您好，亦庄店客服部，请问有什么可以帮您？" + "嗯，好的，我明白了，这个我帮您查一下。" * 5 + "我是李娜。"
    result = check(text)
    assert failed(result) == ["own_name"]


def test_customer_saying_the_store_name_does_not_count_for_the_staff_opening():
    """S2.2 is about what the staff member says: the caller's words do not count."""
    text = "客户：喂，是一汽丰田亦庄店客服部吗？\n客服：你好，我是李娜，请问有什么能帮您？"
    result = check(text)
    assert sorted(failed(result)) == ["company", "department"]
    assert item(result, "greeting").passed and item(result, "own_name").passed


def test_neutral_labels_make_the_first_speaker_staff():
    text = "A：您好，亦庄店客服部，我是李娜，请问有什么可以帮您？\nB：你好，我是亦庄店的老客户。"
    turns, labelled = parse_transcript(text)
    assert labelled
    assert [t.role for t in turns] == ["staff", "customer"]
    assert check(text).score == 100


def test_staff_name_as_label_is_staff_speech():
    text = "来电：你好。\n李娜：您好，亦庄店客服部，我是李娜，请问有什么可以帮您？"
    turns, _labelled = parse_transcript(text, staff_names=["李娜"])
    assert [t.role for t in turns] == ["customer", "staff"]
    assert check(text).score == 100


def test_consecutive_staff_lines_form_one_opening():
    text = "坐席：您好，亦庄店客服部。\n坐席：我是李娜，请问有什么可以帮您？\n客户：我想约个保养。"
    assert check(text).score == 100


# ---------------------------------------------------------------------------------------------
# S2.4 and S2.6 complaints


def test_complaint_handled_by_the_book_passes_every_item():
    """S2.4: apologise, say it is recorded, ask for a number; S2.6: promise to report at once."""
    result = check(GOOD_COMPLAINT, kind="complaint")
    assert failed(result) == []
    assert result.score == 100
    assert item(result, "apology").evidence == "抱歉"
    assert item(result, "recorded").evidence == "已经记录"
    assert item(result, "report").evidence.endswith("汇报")
    assert item(result, "contact_number").evidence == "联系电话"


def test_complaint_sent_to_another_department_is_flagged():
    """S2.4: never send the caller to "call department X"."""
    text = (
        "客服：您好，亦庄店客服部，我是李娜，请问有什么可以帮您？\n"
        "客户：我要投诉你们售后，车修了三次还没修好！\n"
        "客服：这个我们客服这边处理不了，您直接打售后前台的电话吧。\n"
    )
    result = check(text, kind="complaint")
    redirect = item(result, "no_redirect")
    assert not redirect.passed
    assert redirect.rule_id == "S2.4"
    assert redirect.evidence == "您直接打售后前台的电话"
    assert sorted(failed(result)) == ["apology", "contact_number", "no_redirect", "recorded", "report"]
    assert result.score == 50


def test_complaint_items_are_checked_only_in_staff_speech():
    text = (
        "客服：您好，亦庄店客服部，我是李娜，请问有什么可以帮您？\n"
        "客户：我都记录下来了，你们得给我个说法，我要向你们经理反映，我的电话你们有。对不起有用吗？\n"
        "客服：嗯。\n"
    )
    result = check(text, kind="complaint")
    assert sorted(failed(result)) == ["apology", "contact_number", "recorded", "report"]


def test_you_reported_is_not_a_promise_to_report():
    """S2.6: 您反映的问题 repeats the caller's words; it is not a promise to report."""
    text = "您好，亦庄店客服部李娜。非常抱歉，我们非常重视您反映的问题，已经帮您登记了，请问您的电话是多少？"
    result = check(text, kind="complaint")
    assert failed(result) == ["offer_help", "report"]


def test_promising_to_call_back_is_not_asking_for_a_number():
    """S2.4 asks for the caller's number; 我们会打这个号码联系您 only promises a call."""
    text = "您好，亦庄店客服部李娜。非常抱歉，我记下了，马上汇报给经理，我们会尽快联系您，到时候打这个号码联系您。"
    result = check(text, kind="complaint")
    assert failed(result) == ["offer_help", "contact_number"]


@pytest.mark.parametrize(
    "sentence",
    [
        "您直接打售后前台的电话吧。",
        "这个事您得找售后部门，他们比较清楚。",
        "您打这个号码：010-6789 1234，找王经理。",
        "您自己打给车间主任问问吧。",
        "麻烦您拨打我们的售后服务热线。",
        "直接打售后前台就行。",
        "号码给您了，您打过去问问。",
        "你再打续保部的电话问问。",
        "您联系一下您的服务顾问吧。",
        "麻烦您给售后前台打个电话，他们会安排。",
        "这个您还是找车间主任吧。",
    ],
)
def test_sending_the_caller_to_phone_elsewhere_is_flagged(sentence):
    """S2.4: each of these sends the caller to make another call."""
    result = check("您好，亦庄店客服部，我是李娜。" + sentence, kind="complaint")
    assert not item(result, "no_redirect").passed, sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "好的，我帮您转接到续保部，请您稍等！",  # S2.5 transfer
        "我让售后部的同事给您打电话，半小时之内。",  # we call the customer
        "我帮您打给售后部问一下，稍后回复您。",  # we call on the customer's behalf
        "他现在不在，您方便的时候再打过来吧，欢迎您再来电。",  # S2.3 call again
        "请问您找哪个部门？",  # a question
        "您是要打售后部吗？",  # a question
        "以后有问题您直接打我们客服部的电话就行。",  # our own department
        "您打错了，没关系。",  # S2.8 wrong number
        "保险公司的报案电话您得自己打一下。",  # an outside company, not a department
        "您找张经理是吧？他今天休息，我帮您记一下，让他明天给您回电。",  # S2.3 absent colleague
        "您找王主管，他现在在开会，您看方便留个电话吗？",  # S2.3 absent colleague
        "您打算什么时候来做保养？",
        "打蜡的话您直接到店里来就行，售后前台会给您安排。",
        "以后有问题您也可以打我们的客服热线。",  # our own department
        "您稍等，我让售后部的同事马上联系您。",
    ],
)
def test_allowed_sentences_are_not_flagged_as_redirects(sentence):
    """S2.4 forbids sending the caller elsewhere; transfers (S2.5) and call-backs are fine."""
    result = check("您好，亦庄店客服部，我是李娜。" + sentence)
    assert item(result, "no_redirect").passed, item(result, "no_redirect").evidence


def test_customer_quoting_a_redirect_is_not_the_staff_members_move():
    text = "客服：您好，亦庄店客服部李娜。\n客户：上次你们的人说让我直接打售后部的电话，打了也没人接！\n"
    assert item(check(text, kind="complaint"), "no_redirect").passed


# ---------------------------------------------------------------------------------------------
# Items, score, storage, odd input


def test_items_per_call_kind_carry_their_rule_ids():
    enquiry = {i.key: i.rule_id for i in build_items("enquiry", YIZHUANG)}
    complaint = {i.key: i.rule_id for i in build_items("complaint", YIZHUANG)}
    assert enquiry == {
        "greeting": "S2.2",
        "company": "S2.2",
        "department": "S2.2",
        "own_name": "S2.2",
        "offer_help": "S2.2",
        "no_redirect": "S2.4",
    }
    assert complaint == {
        **enquiry,
        "apology": "S2.4",
        "recorded": "S2.4",
        "report": "S2.6",
        "contact_number": "S2.6",
    }
    assert set(LABELS) == set(complaint)


@pytest.mark.parametrize("text", ["", "   \n\t ", "，。！？……", None])
def test_empty_transcript_fails_every_required_item_and_scores_zero(text):
    result = check(text, kind="complaint")
    assert result.score == 0
    assert not result.staff_speech
    assert all(not i.passed for i in result.items if i.kind == "required")
    assert item(result, "no_redirect").passed  # nothing forbidden was said


def test_result_is_stored_as_json_without_translated_labels():
    data = check(GOOD_COMPLAINT, kind="complaint").to_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["version"] == 1 and data["score"] == 100 and data["call_kind"] == "complaint"
    assert data["items"][0] == {
        "key": "greeting",
        "rule_id": "S2.2",
        "kind": "required",
        "passed": True,
        "phrase": "您好",
        "evidence": "您好",
        "edits": 0,
    }


def test_context_without_names_accepts_any_named_store_department_and_person():
    result = check("您好，望京4S店客服部，我是小王，请问有什么可以帮您？", context=ScriptContext())
    assert result.score == 100
    assert check("您好，请问有什么可以帮您？", context=ScriptContext()).score == 50


def test_very_long_transcript_is_checked_quickly():
    middle = "客户：还有一个事，上次换的轮胎好像有点偏磨，你们能不能给看看？\n客服：好的，您说，我在听。\n" * 200
    text = GOOD_COMPLAINT + middle + "客服：好的，再次向您表示歉意。\n"
    assert len(text) > 8000
    started = time.perf_counter()
    result = check(text, kind="complaint")
    assert time.perf_counter() - started < 2
    assert result.score == 100


def test_very_long_bad_transcript_finds_nothing_it_should_not():
    text = "客户：我的车怎么还没修好？\n客服：嗯嗯，您稍等。\n" * 200
    result = check(text, kind="complaint")
    assert sorted(failed(result)) == sorted(
        [
            "greeting",
            "company",
            "department",
            "own_name",
            "offer_help",
            "apology",
            "recorded",
            "report",
            "contact_number",
        ]
    )
    assert result.score == 10


# ---------------------------------------------------------------------------------------------
# Property: typing noise never changes the result

NOISE = " \t\n\u3000,.!?;、。，！？；“”‘’\"'()（）《》<>【】…—-·~～"  # no colons: a colon after 客户 is a label


def to_fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@st.composite
def noisy(draw, text):
    chars = list(text)
    for position in sorted(draw(st.lists(st.integers(0, len(text)), max_size=12)), reverse=True):
        chars.insert(position, draw(st.text(alphabet=NOISE, min_size=1, max_size=3)))
    noisy_text = "".join(chars)
    return to_fullwidth(noisy_text) if draw(st.booleans()) else noisy_text


GOOD_PLAIN = "您好，一汽丰田亦庄4S店客服部，我是李娜，请问有什么可以帮您？非常抱歉给您添麻烦了，我已经记下了，马上向经理汇报，请留个电话。"
GOOD_DIALOGUE = [
    ("坐席", "您好，亦庄店客服部，我是李娜，请问有什么可以帮助您？"),
    ("客户", "我要投诉，车修完又坏了，你们一汽丰田亦庄店怎么回事！"),
    ("坐席", "实在对不起，您的情况我都记录了，我马上报告给我们售后经理，请问您的联系电话是？"),
    ("客户", "13912345678。"),
    ("坐席", "好的，我帮您转接到售后部，请您稍等。"),
]


@settings(max_examples=150, deadline=None)
@given(noisy(GOOD_PLAIN))
def test_punctuation_spaces_and_full_width_never_change_an_unlabelled_result(text):
    assert outcome(check(text, kind="complaint")) == outcome(check(GOOD_PLAIN, kind="complaint"))


@settings(max_examples=100, deadline=None)
@given(st.tuples(*(noisy(line) for _label, line in GOOD_DIALOGUE)), st.booleans())
def test_punctuation_spaces_and_full_width_never_change_a_dialogue_result(lines, full_width_colon):
    colon = "：" if full_width_colon else ":"
    clean = "\n".join(f"{label}：{line}" for label, line in GOOD_DIALOGUE)
    text = "\n".join(f"{label}{colon}{line}" for (label, _line), line in zip(GOOD_DIALOGUE, lines, strict=True))
    expected = outcome(check(clean, kind="complaint"))
    assert expected[0] == 100
    assert outcome(check(text, kind="complaint")) == expected
