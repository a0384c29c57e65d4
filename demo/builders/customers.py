"""Demo data, part two: 300 customers (six of them companies with a fleet) and 350 vehicles.

They go through the customer services, entered by each store's customer-service staff, so they pass
the same validation and write the same history as real use. Deterministic: one seeded random
generator, and purchase dates and mileages counted to a fixed day.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from core.validators import normalize_mobile, vin_check_digit
from customers.choices import PreferredContact
from customers.services.customers import customer_create, vehicle_create
from demo.builders.org import BRAND

CUSTOMERS_PER_STORE = {"S001": 170, "S002": 130}
VEHICLE_COUNT = 350
# Purchase dates and mileages are counted to this day, so every run gives the same data.
REFERENCE_DAY = date(2026, 10, 1)

# ---------------------------------------------------------------------------------------------
# Names

# The most common Chinese surnames, roughly in order of frequency.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# weights fall with the rank of the surname, as they do in the population
SURNAME_WEIGHTS = [1 / (rank + 4) for rank in range(len(SURNAMES))]
MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳建国志文海东峰亮成博晨轩睿然泽嘉德永兴"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀英玲婷雪慧莹琳颖倩洁佳欣怡萍红燕梅晶璐悦蕾妍雯晓思雨梦诗涵琪瑶欢月兰"
COMPANIES = [
    "北京鑫达物流有限公司",
    "北京恒信建筑工程有限公司",
    "北京顺安汽车租赁有限公司",
    "北京金桥物业管理有限公司",
    "北京京润环境科技有限公司",
    "北京华康医疗器械有限公司",
]
NOTES = [
    "老客户，习惯周末来店保养",
    "来店前请提前一天电话预约",
    "不接受电话营销，仅保养提醒",
    "上次保养对等待时间不满意，注意跟进",
    "车辆年检提醒请发短信",
    "喜欢在休息室看报纸，咖啡不加糖",
    "家里有老人，来店需要轮椅协助",
]
MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "166 173 176 177 180 181 182 183 185 186 187 188 189 198 199"
).split()
# Beijing landlines: eight digits after the area code 010.
LANDLINE_FIRST = "5678"

# ---------------------------------------------------------------------------------------------
# Vehicles


@dataclass(frozen=True)
class CarModel:
    name: str
    code: str  # three VDS characters (VIN positions 4-6)
    plant: str  # VIN position 11
    first_year: int
    last_year: int
    weight: int
    energy: str = ""  # "D" pure electric, "F" plug-in hybrid: new-energy plates


MODELS = [
    CarModel("卡罗拉", "BE1", "T", 2014, 2026, 30),
    CarModel("卡罗拉锐放", "ZC1", "T", 2022, 2026, 10),
    CarModel("卡罗拉双擎E+", "ZE3", "T", 2019, 2023, 4, "F"),
    CarModel("亚洲龙", "AX5", "T", 2019, 2026, 12),
    CarModel("RAV4荣放", "MA4", "C", 2014, 2026, 18),
    CarModel("RAV4荣放双擎E+", "MH4", "C", 2021, 2026, 4, "F"),
    CarModel("威驰", "NC1", "T", 2014, 2022, 8),
    CarModel("奕泽IZOA", "GX1", "T", 2018, 2026, 7),
    CarModel("皇冠陆放", "HK7", "T", 2021, 2026, 4),
    CarModel("普拉多", "RJ1", "D", 2014, 2026, 5),
    CarModel("bZ3", "EB3", "T", 2023, 2026, 5, "D"),
]
COLOURS = ["白色", "珍珠白", "黑色", "银色", "灰色", "深灰色", "红色", "蓝色", "棕色"]
COLOUR_WEIGHTS = [30, 12, 22, 12, 10, 5, 4, 3, 2]
VIN_WMI = "LFM"  # FAW Toyota
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
YEAR_CODES = dict(zip(range(2010, 2031), "ABCDEFGHJKLMNPRSTVWXY", strict=True))
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
PLATE_SERIAL = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
# (province, issuing authorities, weight): most cars are from Beijing, some from Hebei and Tianjin.
PLATE_REGIONS = [("京", "ABCEFGHJKLMNPQ", 88), ("冀", "RFJ", 8), ("津", "ACDE", 4)]


def _chinese_name(rng: random.Random) -> str:
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    chars = MALE_CHARS if rng.random() < 0.6 else FEMALE_CHARS
    given = rng.choice(chars) if rng.random() < 0.3 else rng.choice(chars) + rng.choice(chars)
    return surname + given


def _mobile(rng: random.Random, taken: set) -> str:
    while True:
        number = rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))
        if number in taken:
            continue
        normalize_mobile(number)  # every prefix above is valid; fail loudly if that changes
        taken.add(number)
        return number


def _landline(rng: random.Random) -> str:
    return "010" + rng.choice(LANDLINE_FIRST) + "".join(rng.choice("0123456789") for _ in range(7))


def _service_number(rng: random.Random) -> str:
    return "400" + rng.choice("6789") + "".join(rng.choice("0123456789") for _ in range(6))


def _customer_data(rng: random.Random, taken_mobiles: set, company: str = "") -> dict:
    if company:
        return {
            "name": company,
            "mobile": _mobile(rng, taken_mobiles),
            "landline": _service_number(rng),
            "landline_ext": str(rng.randint(801, 899)),
            "preferred_contact": PreferredContact.LANDLINE,
            "consent_to_contact": True,
            "notes": "单位车队客户，联系车队管理员",
        }
    data = {"name": _chinese_name(rng), "mobile": "", "landline": "", "landline_ext": ""}
    kind = rng.random()
    if kind < 0.04:  # older customers reachable only at home
        data["landline"] = _landline(rng)
        data["preferred_contact"] = PreferredContact.LANDLINE
    else:
        data["mobile"] = _mobile(rng, taken_mobiles)
        if kind < 0.14:
            data["landline"] = _landline(rng)
        data["preferred_contact"] = rng.choices(
            [PreferredContact.MOBILE, PreferredContact.WECHAT, PreferredContact.SMS, PreferredContact.LANDLINE],
            weights=[60, 25, 12, 3 if data["landline"] else 0],
        )[0]
    data["consent_to_contact"] = rng.random() < 0.78
    data["notes"] = rng.choice(NOTES) if rng.random() < 0.08 else ""
    return data


def _plate(rng: random.Random, energy: str, taken: set) -> str:
    while True:
        province, authorities, _weight = rng.choices(PLATE_REGIONS, weights=[r[2] for r in PLATE_REGIONS])[0]
        authority = rng.choice(authorities)
        if energy:
            # small new-energy plate: D (electric) or F (plug-in hybrid), a serial character, four digits
            serial = energy + rng.choice(PLATE_SERIAL) + "".join(rng.choice("0123456789") for _ in range(4))
        elif rng.random() < 0.55:
            serial = "".join(rng.choice("0123456789") for _ in range(5))
        else:
            # one or two letters among the five serial characters
            chars = [rng.choice("0123456789") for _ in range(5)]
            for position in rng.sample(range(5), rng.choice((1, 1, 2))):
                chars[position] = rng.choice(PLATE_LETTERS)
            serial = "".join(chars)
        plate = province + authority + serial
        if plate not in taken:
            taken.add(plate)
            return plate


def _vin(rng: random.Random, model: CarModel, year: int, taken: set) -> str:
    while True:
        vds = model.code + rng.choice(VIN_CHARS) + rng.choice(VIN_CHARS)
        serial = f"{rng.randint(0, 999_999):06d}"
        body = VIN_WMI + vds + "0" + YEAR_CODES[year] + model.plant + serial
        vin = body[:8] + vin_check_digit(body) + body[9:]
        if vin not in taken:
            taken.add(vin)
            return vin


def _vehicle_data(rng: random.Random, taken_plates: set, taken_vins: set) -> dict:
    model = rng.choices(MODELS, weights=[m.weight for m in MODELS])[0]
    last_year = min(model.last_year, REFERENCE_DAY.year)
    year = rng.randint(model.first_year, last_year)
    start = date(year, 1, 1)
    end = min(date(year, 12, 31), REFERENCE_DAY - timedelta(days=10), timezone.localdate())
    purchased = start + timedelta(days=rng.randint(0, max(0, (end - start).days)))
    years_driven = (REFERENCE_DAY - purchased).days / 365.25
    mileage = int(years_driven * rng.uniform(7_000, 22_000)) + rng.randint(50, 900)
    return {
        "plate": _plate(rng, model.energy, taken_plates),
        "vin": _vin(rng, model, min(year + (1 if purchased.month >= 10 else 0), REFERENCE_DAY.year), taken_vins),
        "brand": BRAND,
        "model": model.name,
        "colour": rng.choices(COLOURS, weights=COLOUR_WEIGHTS)[0],
        "purchase_date": purchased.isoformat(),
        "mileage_km": max(mileage, 10),
    }


def customers_build(rng: random.Random, stores: dict, people: dict) -> None:
    """300 customers (six of them companies with a fleet) and 350 vehicles, entered by each store's staff."""
    total = sum(CUSTOMERS_PER_STORE.values())
    companies_per_store = len(COMPANIES) // len(stores)
    people_count = total - len(COMPANIES)
    # six fleets of three; the other customers have one car, some two or three
    extra = VEHICLE_COUNT - total - 2 * len(COMPANIES)
    triples = 4
    counts = [3] * triples + [2] * (extra - 2 * triples)
    counts += [1] * (people_count - len(counts))
    rng.shuffle(counts)
    taken_mobiles: set = set()
    taken_plates: set = set()
    taken_vins: set = set()
    entered_by = {"S001": people["staff1"], "S002": people["staff2"]}
    company_names = iter(COMPANIES)
    for code, how_many in CUSTOMERS_PER_STORE.items():
        store, actor = stores[code], entered_by[code]
        for index in range(how_many):
            if index < companies_per_store:
                data, cars = _customer_data(rng, taken_mobiles, company=next(company_names)), 3
            else:
                data, cars = _customer_data(rng, taken_mobiles), counts.pop()
            customer = customer_create(actor=actor, store=store, **data)
            for _car in range(cars):
                vehicle_create(actor=actor, owner=customer, **_vehicle_data(rng, taken_plates, taken_vins))
