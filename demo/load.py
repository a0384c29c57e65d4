"""Demo data: a dealer group with two stores, their staff, 300 customers and 350 vehicles.

Deterministic (one seeded random generator, fixed dates) and loaded once: `demo_load` does
nothing when the database already holds an organisation. Stores, hours, closure days and
departments go through the org services and customers and vehicles through the customer
services, so the demo passes the same validation and writes the same history as real use.
Staff accounts are created directly, because they all share the demo password, which the
password rules would refuse (it is printed on purpose).
"""

import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from core.audit import history_record, snapshot
from core.models import HistoryAction
from core.validators import normalize_mobile, vin_check_digit
from customers.choices import PreferredContact
from customers.models import Customer, Vehicle
from customers.services import customer_create, vehicle_create
from demo.builders.lounge import load_lounge_month
from demo.builders.phone import load_phone_month
from org.choices import DepartmentKind, Gender, Role
from org.models import DealerGroup, Department, Store, User
from org.services import STAFF_FIELDS, business_hours_set, closure_add, department_create, store_create

SEED = 2026
DEMO_PASSWORD = "demo1234"
GROUP_NAME = "华北汽车服务集团"
BRAND = "一汽丰田"
CUSTOMERS_PER_STORE = {"S001": 170, "S002": 130}
VEHICLE_COUNT = 350
# Purchase dates and mileages are counted to this day, so every run gives the same data.
REFERENCE_DAY = date(2026, 10, 1)

STORES = [
    {
        "code": "S001",
        "name": "华北一汽丰田亦庄店",
        "brand": BRAND,
        "city": "北京",
        "address": "北京市大兴区亦庄经济技术开发区荣华南路18号",
        "phone": "010 6786 5588",
        "closures": [(date(2026, 12, 9), "全员服务礼仪培训"), (date(2027, 1, 20), "年度盘点")],
    },
    {
        "code": "S002",
        "name": "华北一汽丰田望京店",
        "brand": BRAND,
        "city": "北京",
        "address": "北京市朝阳区望京北路甲9号",
        "phone": "010 6470 3399",
        # open an hour later and close an hour earlier on Sundays
        "sunday": (time(9, 0), time(17, 0)),
        "closures": [(date(2026, 12, 16), "系统升级停业"), (date(2027, 1, 27), "年度盘点")],
    },
]

# Departments of every store: (kind, name as callers hear it).
DEPARTMENTS = [
    (DepartmentKind.CUSTOMER_SERVICE, "客服部"),
    (DepartmentKind.RENEWAL, "续保部"),
    (DepartmentKind.LOUNGE, "客户休息室"),
    (DepartmentKind.LEISURE, "休闲中心"),
    (DepartmentKind.FRONT_DESK, "服务前台"),
    (DepartmentKind.WORKSHOP, "维修车间"),
    (DepartmentKind.PARTS, "配件部"),
]

F, M = Gender.FEMALE, Gender.MALE


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    gender: str
    position: str
    role: str
    department: str = ""  # department name in the person's store
    supervises: tuple[str, ...] = ()
    extension: str = ""


GROUP_STAFF = [
    Person("admin", "周建国", M, "集团售后运营总监", Role.GROUP_ADMIN),
    Person("groupaudit", "蒋文娟", F, "集团服务稽核专员", Role.AUDITOR),
]
STORE_STAFF = {
    "S001": [
        Person("manager1", "王志刚", M, "售后经理", Role.STORE_MANAGER, extension="8001"),
        Person("supervisor1", "刘婷", F, "客服主管", Role.SUPERVISOR, "客服部", ("客服部", "续保部"), "8101"),
        Person(
            "zhaolei", "赵磊", M, "前台主管", Role.SUPERVISOR, "服务前台", ("服务前台", "维修车间", "配件部"), "8401"
        ),
        Person("chenjing", "陈静", F, "休息区主管", Role.SUPERVISOR, "客户休息室", ("客户休息室", "休闲中心"), "8301"),
        Person("staff1", "李娜", F, "客服专员", Role.STAFF, "客服部", extension="8102"),
        Person("zhangmin", "张敏", F, "客服专员", Role.STAFF, "客服部", extension="8103"),
        Person("sunyue", "孙悦", F, "续保专员", Role.STAFF, "续保部", extension="8201"),
        Person("zhouqian", "周倩", F, "前台接待", Role.STAFF, "服务前台", extension="8402"),
        Person("mahao", "马浩", M, "服务顾问", Role.STAFF, "服务前台", extension="8403"),
        Person("wuxiaoyan", "吴晓燕", F, "休息区服务员", Role.STAFF, "客户休息室", extension="8302"),
        Person("hejia", "何佳", F, "休闲中心服务员", Role.STAFF, "休闲中心", extension="8311"),
        Person("auditor1", "黄丽", F, "服务质检专员", Role.AUDITOR, extension="8002"),
    ],
    "S002": [
        Person("manager2", "杨建军", M, "售后经理", Role.STORE_MANAGER, extension="8001"),
        Person("supervisor2", "徐慧", F, "客服主管", Role.SUPERVISOR, "客服部", ("客服部", "续保部"), "8101"),
        Person(
            "liuyang", "刘洋", M, "前台主管", Role.SUPERVISOR, "服务前台", ("服务前台", "维修车间", "配件部"), "8401"
        ),
        Person("guomei", "郭梅", F, "休息区主管", Role.SUPERVISOR, "客户休息室", ("客户休息室", "休闲中心"), "8301"),
        Person("staff2", "林雪", F, "客服专员", Role.STAFF, "客服部", extension="8102"),
        Person("hanying", "韩颖", F, "客服专员", Role.STAFF, "客服部", extension="8103"),
        Person("tangqian", "唐倩", F, "续保专员", Role.STAFF, "续保部", extension="8201"),
        Person("luojiayi", "罗佳怡", F, "前台接待", Role.STAFF, "服务前台", extension="8402"),
        Person("songjie", "宋杰", M, "服务顾问", Role.STAFF, "服务前台", extension="8403"),
        Person("xieli", "谢丽", F, "休息区服务员", Role.STAFF, "客户休息室", extension="8302"),
        Person("dengyu", "邓宇", M, "休闲中心服务员", Role.STAFF, "休闲中心", extension="8311"),
        Person("auditor2", "高峰", M, "服务质检专员", Role.AUDITOR, extension="8002"),
    ],
}
# Employee numbers and badge numbers: a prefix per store, numbered in the order above.
NUMBERING = {None: ("HB00", "JT-"), "S001": ("HB10", "YZ-"), "S002": ("HB20", "WJ-")}
# The group auditor sits in S001 and looks after S002 too.
GROUP_AUDITOR_STORES = ("S001", "S002")
# The well-known demo accounts, in the order printed.
WELL_KNOWN = [
    "admin",
    "groupaudit",
    "manager1",
    "supervisor1",
    "staff1",
    "auditor1",
    "manager2",
    "supervisor2",
    "staff2",
    "auditor2",
]

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


@dataclass
class DemoResult:
    """What `demo_load` did: whether it loaded, and if so how much."""

    loaded: bool
    reason: str = ""
    counts: dict = field(default_factory=dict)


def demo_present() -> bool:
    return DealerGroup.objects.filter(name=GROUP_NAME).exists()


def database_in_use() -> bool:
    """Whether anyone has set up an organisation or accounts already (then the demo stays out)."""
    return DealerGroup.objects.exists() or Store.objects.exists() or User.objects.exists()


@transaction.atomic
def demo_load() -> DemoResult:
    """Load the demo data into an empty database; do nothing if it holds an organisation already."""
    if demo_present():
        return DemoResult(False, "demo data already present")
    if database_in_use():
        return DemoResult(False, "the database already holds stores or accounts; demo data not loaded")
    rng = random.Random(SEED)
    password_hash = make_password(DEMO_PASSWORD)

    group = DealerGroup.objects.create(name=GROUP_NAME)
    history_record(actor=None, obj=group, action=HistoryAction.CREATE, after={"name": group.name})
    admin = _person_create(
        actor=None, person=GROUP_STAFF[0], group=group, store=None, departments={}, number=1, password=password_hash
    )
    stores = {spec["code"]: _store_create(admin, group, spec) for spec in STORES}
    admin = User.objects.get(pk=admin.pk)  # forget the stores cached before they existed
    departments = {}
    for code, store in stores.items():
        departments[code] = {
            name: department_create(actor=admin, store=store, kind=kind, name=name) for kind, name in DEPARTMENTS
        }
    people = {"admin": admin}
    auditor = GROUP_STAFF[1]
    people[auditor.username] = _person_create(
        actor=admin,
        person=auditor,
        group=group,
        store=stores[GROUP_AUDITOR_STORES[0]],
        departments={},
        number=2,
        password=password_hash,
        extra_stores=[stores[c] for c in GROUP_AUDITOR_STORES[1:]],
        numbering_key=None,
    )
    for code, staff in STORE_STAFF.items():
        for number, person in enumerate(staff, start=1):
            people[person.username] = _person_create(
                actor=admin,
                person=person,
                group=group,
                store=stores[code],
                departments=departments[code],
                number=number,
                password=password_hash,
            )

    _customers_create(rng, stores, people)
    load_phone_month(rng, timezone.now())
    load_lounge_month(rng, timezone.now())
    return DemoResult(
        True,
        "demo data loaded",
        {
            "stores": Store.objects.count(),
            "departments": Department.objects.count(),
            "staff": User.objects.count(),
            "customers": Customer.objects.count(),
            "vehicles": Vehicle.objects.count(),
        },
    )


def _store_create(admin: User, group: DealerGroup, spec: dict) -> Store:
    data = {key: spec[key] for key in ("code", "name", "brand", "city", "address", "phone")}
    store = store_create(actor=admin, data=data, group=group)
    admin = User.objects.get(pk=admin.pk)
    if "sunday" in spec:
        opens, closes = spec["sunday"]
        business_hours_set(actor=admin, store=store, hours={6: {"opens": opens, "closes": closes}})
    for day, reason in spec["closures"]:
        closure_add(actor=admin, store=store, date=day, reason=reason)
    return store


def _person_create(
    *,
    actor,
    person: Person,
    group: DealerGroup,
    store: Store | None,
    departments: dict,
    number: int,
    password: str,
    extra_stores: list | None = None,
    numbering_key: str | None = "",
) -> User:
    """A staff account with the demo password (validated, with its creation in the history)."""
    key = (store.code if store else None) if numbering_key == "" else numbering_key
    employee_prefix, badge_prefix = NUMBERING[key]
    user = User(
        username=person.username,
        name=person.name,
        gender=person.gender,
        position=person.position,
        role=person.role,
        group=group,
        store=store,
        department=departments.get(person.department),
        employee_no=f"{employee_prefix}{number:02d}",
        badge_no=f"{badge_prefix}{number:03d}",
        extension=person.extension,
        password=password,
        is_active=True,
    )
    user.full_clean()
    user.save()
    user.supervised_departments.set([departments[name] for name in person.supervises])
    user.extra_stores.set(extra_stores or [])
    after = snapshot(user, STAFF_FIELDS)
    after["supervised_departments"] = ", ".join(sorted(person.supervises))
    after["extra_stores"] = ", ".join(sorted(str(s) for s in extra_stores or []))
    history_record(
        actor=actor, obj=user, action=HistoryAction.CREATE, after=after, store_id=store.pk if store else None
    )
    return user


# ---------------------------------------------------------------------------------------------
# Customers and vehicles


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


def _customers_create(rng: random.Random, stores: dict, people: dict) -> None:
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
            customer = customer_create(actor=actor, store=store, data=data)
            for _car in range(cars):
                vehicle_create(actor=actor, owner=customer, data=_vehicle_data(rng, taken_plates, taken_vins))


def sign_ins() -> list[dict]:
    """The well-known demo accounts that still exist, for printing."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=WELL_KNOWN).select_related("store").prefetch_related("extra_stores")
    }
    rows = []
    for username in WELL_KNOWN:
        user = users.get(username)
        if user is None:
            continue
        stores = [user.store.code] if user.store else []
        stores += sorted(s.code for s in user.extra_stores.all())
        rows.append(
            {
                "username": user.username,
                "employee_no": user.employee_no or "",
                "password": DEMO_PASSWORD,
                "name": user.name,
                "role": str(Role(user.role).label),
                "position": user.position,
                "stores": "+".join(stores) if stores else GROUP_NAME,
            }
        )
    return rows
