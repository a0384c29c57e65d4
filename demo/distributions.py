"""The shapes of the demo's work, shared by the demo builders (demo/builders/) and the group generator
(demo/generate/): how many calls and visits a day, the mix of purposes, ring times, the shares of missed
calls and late call-backs, the lounge's arrival curve, greetings, drinks and refills, hygiene rounds.

Each function draws from the random generator it is given, in a fixed order, so a builder that uses
it gives the same data as before for the same seed.
"""

import random
from datetime import datetime, timedelta

from phone.choices import Outcome, Purpose

# ---------------------------------------------------------------------------------------------
# The telephone (S2.1–S2.11), per store and business day

INBOUND_PER_DAY = (40, 60)
OUTBOUND_PER_DAY = (10, 20)
MESSAGES_PER_DAY = (2, 4)
TRANSCRIPT_SHARE = 0.2
MISSED_SHARE = 0.05  # nobody answered
DROPPED_SHARE = 0.02  # answered, then cut off
OUTBOUND_REACHED_SHARE = 0.8
CALLER_ON_FILE_SHARE = 0.82  # incoming calls from the store's customers; the rest unknown numbers

INBOUND_PURPOSES = [
    (Purpose.BOOKING, 30),
    (Purpose.ENQUIRY, 32),
    (Purpose.SOMEONE, 16),
    (Purpose.TRANSFER, 10),
    (Purpose.OTHER, 8),
]
INBOUND_PURPOSE_CHOICES = [p for p, _w in INBOUND_PURPOSES]
INBOUND_PURPOSE_WEIGHTS = [w for _p, w in INBOUND_PURPOSES]
NOTES = {
    Purpose.BOOKING: [
        "预约周六上午常规保养",
        "预约明天下午更换机油机滤",
        "预约四轮定位和轮胎换位",
        "预约空调滤芯更换",
        "预约年检前检查",
        "改约到下周二上午",
    ],
    Purpose.ENQUIRY: [
        "咨询保养价格，已报价",
        "询问车辆维修进度，已告知下午可取车",
        "咨询延保政策",
        "询问营业时间和停车位置",
        "咨询刹车片更换费用",
        "询问保险理赔所需材料",
        "咨询新能源车电池检测",
    ],
    Purpose.SOMEONE: ["找服务顾问询问报价", "找续保专员", "找前台主管", "找售后经理"],
    Purpose.TRANSFER: ["转配件部查询配件到货", "转续保部办理续保", "转维修车间询问进度"],
    Purpose.OTHER: ["询问发票开具", "确认车辆是否已洗好", "询问会员积分", "推销电话，已礼貌拒绝"],
}
OUTBOUND = [
    (Purpose.BOOKING, "保养到期提醒，客户约了本周末", 35),
    (Purpose.ENQUIRY, "维修完工通知取车", 25),
    (Purpose.OTHER, "保养后满意度回访", 25),
    (Purpose.OTHER, "续保到期提醒", 15),
]
OUTBOUND_WEIGHTS = [o[2] for o in OUTBOUND]
TRANSFER_TARGETS = ["配件部", "续保部", "维修车间"]
MESSAGE_TEXTS = [
    "客户询问上次维修的报价单，请回电",
    "保险快到期了，想了解续保方案",
    "想确认明天取车时间",
    "对上次的保养费用有疑问，请回电解释",
    "想预约周末试驾新款车型",
    "询问车辆召回的检查安排",
]


def inbound_outcome(rng: random.Random, purpose: str) -> str:
    """How an answered call of this purpose ended."""
    return {
        Purpose.BOOKING: Outcome.HANDLED,
        Purpose.ENQUIRY: rng.choice([Outcome.HANDLED] * 4 + [Outcome.HANDED_OVER]),
        Purpose.SOMEONE: rng.choice([Outcome.TRANSFERRED, Outcome.HANDED_OVER]),
        Purpose.TRANSFER: Outcome.TRANSFERRED,
        Purpose.OTHER: Outcome.HANDLED,
    }[purpose]


def ring_seconds(rng: random.Random) -> float:
    """Seconds an answered call rang: mostly within three rings, 15 % on the fourth or later (S2.1)."""
    if rng.random() < 0.15:
        return round(rng.uniform(15.0, 26.0), 1)  # the 4th ring or later: not in time (S2.1)
    return round(rng.uniform(3.0, 14.8), 1)


def missed_ring_seconds(rng: random.Random) -> float:
    """Seconds a call nobody answered rang before the caller gave up."""
    return round(rng.uniform(25, 45), 1)


def missed_callback_minutes(rng: random.Random) -> int | None:
    """Business minutes until a missed or cut-off call is called back: mostly within the 15, some late,
    a few never (None)."""
    roll = rng.random()
    if roll < 0.8:
        return rng.randint(2, 13)
    if roll < 0.92:
        return rng.randint(20, 90)
    return None


def message_callback_minutes(rng: random.Random) -> int | None:
    """Business minutes from a message to its call-back: mostly within the two hours, some late, a few never."""
    roll = rng.random()
    if roll < 0.78:
        return rng.randint(15, 110)
    if roll < 0.9:
        return rng.randint(150, 400)
    return None


def moment_in(rng: random.Random, opens: datetime, closes: datetime) -> datetime:
    """A moment of the open hours, uniformly (calls come all day)."""
    seconds = int((closes - opens).total_seconds()) - 120
    return opens + timedelta(seconds=rng.randint(0, seconds))


# ---------------------------------------------------------------------------------------------
# The lounge (S4.1–S4.5)

VISITS_PER_DAY = {"weekday": (15, 22), "weekend": (20, 30)}
QR_REQUESTS_PER_DAY = (3, 8)
ON_FILE_SHARE = 0.7
REGULAR_SHARE = 0.72  # customers on file whose first visit here was before the product was used
WALK_IN_FIRST_SHARE = 0.4
INTRODUCED_SHARE = 0.85
OFFER_SHARE = 0.35  # the offer tapped on its own; otherwise serving the drink answers it
STATUS_UPDATE_SHARE = 0.12
FAREWELL_SHARE = 0.9
SERVINGS_WANTED = ([1, 2, 3], [40, 43, 17])
LATE_REFILL_SHARE = 0.2
SAME_DRINK_SHARE = 0.7
DRINKS = ["矿泉水", "绿茶", "红茶", "咖啡", "拿铁", "橙汁", "热牛奶", "柠檬水"]
DRINK_WEIGHTS = [14, 22, 14, 18, 10, 8, 6, 8]
SERVICE_STATUSES = ["保养中", "维修中", "等待配件", "洗车中", "质检中", "等待报价确认", "钣金喷漆中"]
LATER_STATUSES = ["洗车中", "质检中", "已完工，待结算"]
WALK_IN_NAMES = ["王先生", "李女士", "张先生", "刘女士", "陈先生", "杨女士", "赵先生", "周女士", "吴先生", "孙女士"]


def arrival(rng: random.Random, opens: datetime, closes: datetime) -> datetime:
    """Mostly mid-morning and early afternoon; never later than 45 minutes before closing."""
    latest = closes - timedelta(minutes=45)
    span = (latest - opens).total_seconds()
    if rng.random() < 0.55:
        seconds = rng.triangular(0, span * 0.42, span * 0.16)
    else:
        seconds = rng.triangular(span * 0.45, span, span * 0.62)
    return opens + timedelta(seconds=int(seconds))


def greet_delay(rng: random.Random) -> timedelta | None:
    """Greeting (S4.1): mostly within the minute, some late, a few never (None)."""
    roll = rng.random()
    if roll < 0.03:
        return None
    if roll < 0.19:
        return timedelta(seconds=rng.uniform(62, 120))
    return timedelta(seconds=rng.uniform(5, 55))


def refill_gap(rng: random.Random) -> timedelta:
    """Time from one drink to the next: mostly before the 20-minute clock, a fifth late."""
    if rng.random() < LATE_REFILL_SHARE:
        return timedelta(seconds=rng.uniform(21 * 60, 34 * 60))
    return timedelta(seconds=rng.uniform(9 * 60, 19.5 * 60))


def stay_after_last_drink(rng: random.Random) -> timedelta:
    if rng.random() < 0.08:
        return timedelta(seconds=rng.uniform(22 * 60, 40 * 60))
    return timedelta(seconds=rng.uniform(4 * 60, 18 * 60))


def answer_delay(rng: random.Random) -> timedelta:
    """Someone on the way after 30 seconds to 6 minutes: mostly within the 3 minutes."""
    if rng.random() < 0.8:
        return timedelta(seconds=rng.uniform(30, 170))
    return timedelta(seconds=rng.uniform(190, 360))


# ---------------------------------------------------------------------------------------------
# Hygiene rounds (S4.6–S4.10)

ROUND_MISSED_SHARE = 0.1
ROUND_FAILED_SHARE = 0.15
ROUND_LATE_SHARE = 0.13
# Failed round items: (a word of the item's text, comment, note when put right, weight).
FAILURES = [
    ("烟灰缸", "烟灰缸内有{value}个烟头", "已清空烟灰缸并擦净", 5),
    ("沙发无食物碎屑", "沙发上有饼干碎屑", "已清理沙发并吸尘", 3),
    ("沙发平整", "客人离开后沙发靠垫未整理", "已整理沙发和靠垫", 2),
    ("茶几上无烟灰", "茶几上有用过的纸巾和果皮", "已清理茶几", 3),
    ("水渍已擦干", "茶几台面有水渍", "已擦干茶几台面", 2),
    ("电视、音响", "电视机顶部有灰尘", "已擦拭电视和音响", 2),
    ("饮水机清洁", "饮水机接水盘有积水", "已清理接水盘并擦干地面", 1),
    ("茶壶", "茶壶内有茶垢", "已清洗茶壶", 1),
    ("报刊架无灰尘", "报刊架有灰尘", "已擦拭报刊架", 1),
    ("展示架", "展示架底层有灰尘", "已擦拭展示架", 1),
    ("展品", "车模摆放不整齐", "已重新摆放展品", 1),
]
FAILURE_WEIGHTS = [f[3] for f in FAILURES]
