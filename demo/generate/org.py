"""The group's organisation: the dealer group, its stores (hours, departments, telephone and lounge settings,
drink menu, seats, facilities, the hygiene template and its area) and their staff in every role.

Small (some thousand rows), so it goes through the org, lounge and checks services where they exist,
with their validation and history; staff accounts are bulk-created with one password hash (as the demo
does, demo/builders/org.py).
"""

import random
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from checks.models import Area
from checks.services.templates import template_default_lounge
from core.audit import history_record, snapshot
from core.models import HistoryAction
from core.validators import normalize_any_phone
from demo.builders.customers import FEMALE_CHARS, MALE_CHARS, SURNAME_WEIGHTS, SURNAMES
from demo.builders.org import BRAND, DEPARTMENTS, GROUP_NAME
from demo.distributions import DRINKS
from lounge.models import Drink, Seat, lounge_settings, new_seat_token
from lounge.services.faults import facility_defaults
from org.choices import Gender, Role
from org.models import DealerGroup, Store, User
from org.services.departments import department_create
from org.services.staff import STAFF_FIELDS
from org.services.stores import store_create
from phone.models import phone_settings

CITIES = [
    ("北京", "010", ["亦庄", "望京", "通州", "大兴", "顺义", "昌平", "丰台", "石景山", "海淀", "朝阳"]),
    ("天津", "022", ["河西", "南开", "滨海", "武清", "西青"]),
    ("石家庄", "0311", ["长安", "裕华", "桥西", "正定", "鹿泉"]),
    ("保定", "0312", ["竞秀", "莲池", "满城"]),
    ("唐山", "0315", ["路北", "路南", "丰润"]),
    ("廊坊", "0316", ["广阳", "安次", "燕郊"]),
    ("太原", "0351", ["小店", "迎泽", "万柏林"]),
    ("济南", "0531", ["历下", "槐荫", "高新"]),
    ("沧州", "0317", ["运河", "新华"]),
    ("邯郸", "0310", ["丛台", "邯山"]),
]
SEAT_ROWS = "ABCD"  # a group store's lounge is busier than the demo's: 4 rows of 12
SEATS_PER_ROW = 12


@dataclass(frozen=True)
class Post:
    """A post in every store: a key for the generator, role, department, departments supervised, position."""

    key: str
    role: str
    department: str
    position: str
    extension: str
    supervises: tuple = ()


# Every role the demo has, in the proportions of a busier store (demo/builders/org.py STORE_STAFF).
POSTS = [
    Post("manager", Role.STORE_MANAGER, "", "售后经理", "8001"),
    Post("cs_supervisor", Role.SUPERVISOR, "客服部", "客服主管", "8101", ("客服部", "续保部")),
    Post("fd_supervisor", Role.SUPERVISOR, "服务前台", "前台主管", "8401", ("服务前台", "维修车间", "配件部")),
    Post("lounge_supervisor", Role.SUPERVISOR, "客户休息室", "休息区主管", "8301", ("客户休息室", "休闲中心")),
    Post("agent", Role.STAFF, "客服部", "客服专员", "8102"),
    Post("agent2", Role.STAFF, "客服部", "客服专员", "8103"),
    Post("agent3", Role.STAFF, "客服部", "客服专员", "8104"),
    Post("agent4", Role.STAFF, "客服部", "客服专员", "8105"),
    Post("renewal", Role.STAFF, "续保部", "续保专员", "8201"),
    Post("renewal2", Role.STAFF, "续保部", "续保专员", "8202"),
    Post("reception", Role.STAFF, "服务前台", "前台接待", "8402"),
    Post("advisor", Role.STAFF, "服务前台", "服务顾问", "8403"),
    Post("advisor2", Role.STAFF, "服务前台", "服务顾问", "8404"),
    Post("attendant", Role.STAFF, "客户休息室", "休息区服务员", "8302"),
    Post("attendant2", Role.STAFF, "客户休息室", "休息区服务员", "8303"),
    Post("attendant3", Role.STAFF, "客户休息室", "休息区服务员", "8304"),
    Post("leisure", Role.STAFF, "休闲中心", "休闲中心服务员", "8311"),
    Post("technician", Role.STAFF, "维修车间", "维修技师", "8501"),
    Post("parts", Role.STAFF, "配件部", "配件专员", "8601"),
    Post("auditor", Role.AUDITOR, "", "服务质检专员", "8002"),
]
# The accounts the benchmark signs in with: the group admin, and per store these posts.
BENCH_POSTS = ("manager", "agent", "attendant")
GROUP_ADMIN = "groupadmin"
GROUP_AUDITOR = "groupaudit"


def username(code: str, post: str) -> str:
    return f"{code.lower()}_{post}"


@dataclass
class StoreSetup:
    """One store as the generators need it: ids of its people, departments, drinks, seats, facilities."""

    store: Store
    index: int
    calendar: object = None
    people: dict = field(default_factory=dict)  # post key -> user id
    names: dict = field(default_factory=dict)  # user id -> name
    employee_nos: dict = field(default_factory=dict)  # user id -> employee number
    extensions: dict = field(default_factory=dict)  # user id -> extension
    user_department: dict = field(default_factory=dict)  # user id -> department id
    departments: dict = field(default_factory=dict)  # name -> id
    drinks: dict = field(default_factory=dict)  # name -> id
    seats: list = field(default_factory=list)  # ids
    seat_labels: dict = field(default_factory=dict)  # id -> label
    facilities: dict = field(default_factory=dict)  # name -> id
    area: Area | None = None
    items: list = field(default_factory=list)  # TemplateItem rows of the area's template
    greet_seconds: int = 60
    refill_minutes: int = 20
    help_minutes: int = 3
    fix_hours: int = 8


def _store_phone(rng: random.Random, area_code: str) -> str:
    """A landline of the city that the validators take (the local number has 7 or 8 digits)."""
    for _attempt in range(20):
        number = f"{area_code} {rng.randint(5000, 8999)} {rng.randint(1000, 9999)}"
        if rng.random() < 0.5 or len(area_code) > 3:
            number = number[:-1]
        try:
            normalize_any_phone(number)
        except ValidationError:
            continue
        return number
    return ""


def _person_name(rng: random.Random) -> tuple[str, str]:
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    male = rng.random() < 0.45
    chars = MALE_CHARS if male else FEMALE_CHARS
    given = rng.choice(chars) if rng.random() < 0.3 else rng.choice(chars) + rng.choice(chars)
    return surname + given, Gender.MALE if male else Gender.FEMALE


def org_generate(rng: random.Random, *, stores: int, password_hash: str) -> tuple[User, list[StoreSetup]]:
    """The group, `stores` stores with their set-up, and their staff; returns the group admin and the stores."""
    group = DealerGroup.objects.create(name=GROUP_NAME)
    history_record(actor=None, obj=group, action=HistoryAction.CREATE, after={"name": group.name})
    admin = _user(GROUP_ADMIN, "周建国", Gender.MALE, "集团售后运营总监", Role.GROUP_ADMIN, group, None, None, "", 0, 1)
    admin.password = password_hash
    admin.full_clean()
    admin.save()
    history_record(actor=None, obj=admin, action=HistoryAction.CREATE, after=snapshot(admin, STAFF_FIELDS))
    setups = []
    for index in range(1, stores + 1):
        city, area_code, districts = CITIES[(index - 1) % len(CITIES)]
        district = districts[((index - 1) // len(CITIES)) % len(districts)]
        round_no = (index - 1) // (len(CITIES) * len(districts))
        suffix = f"{round_no + 1}" if round_no else ""
        code = f"S{index:03d}"
        admin = User.objects.get(pk=admin.pk)
        store = store_create(
            actor=admin,
            group=group,
            code=code,
            name=f"华北一汽丰田{city}{district}{suffix}店",
            brand=BRAND,
            city=city,
            address=f"{city}市{district}区汽车园路{index}号",
            phone=_store_phone(rng, area_code),
        )
        setups.append(StoreSetup(store=store, index=index))
    admin = User.objects.get(pk=admin.pk)
    for setup in setups:
        store = setup.store
        for kind, name in DEPARTMENTS:
            setup.departments[name] = department_create(actor=admin, store=store, kind=kind, name=name).pk
    _staff(rng, group, setups, password_hash)
    for setup in setups:
        _store_setup(setup)
    return User.objects.get(pk=admin.pk), setups


def _user(login, name, gender, position, role, group, store, department_id, extension, store_no, number) -> User:
    return User(
        username=login,
        name=name,
        gender=gender,
        position=position,
        role=role,
        group=group,
        store=store,
        department_id=department_id,
        employee_no=f"G{store_no:03d}{number:03d}",
        badge_no=f"{store.code if store else 'JT'}-{number:03d}",
        extension=extension,
        is_active=True,
    )


def _staff(rng: random.Random, group, setups: list[StoreSetup], password_hash: str) -> None:
    users = []
    for setup in setups:
        for number, post in enumerate(POSTS, start=1):
            name, gender = _person_name(rng)
            users.append(
                _user(
                    username(setup.store.code, post.key),
                    name,
                    gender,
                    post.position,
                    post.role,
                    group,
                    setup.store,
                    setup.departments.get(post.department),
                    post.extension,
                    setup.index,
                    number,
                )
            )
    auditor_store = setups[0].store
    name, gender = _person_name(rng)
    auditor = _user(GROUP_AUDITOR, name, gender, "集团服务稽核专员", Role.AUDITOR, group, auditor_store, None, "", 0, 2)
    users.append(auditor)
    for user in users:
        user.password = password_hash
    User.objects.bulk_create(users, batch_size=1000)
    by_name = {u.username: u for u in User.objects.filter(group=group)}
    supervised = User.supervised_departments.through
    links = []
    for setup in setups:
        for post in POSTS:
            user = by_name[username(setup.store.code, post.key)]
            setup.people[post.key] = user.pk
            setup.names[user.pk] = user.name
            setup.employee_nos[user.pk] = user.employee_no
            setup.extensions[user.pk] = user.extension
            setup.user_department[user.pk] = user.department_id
            for dept in post.supervises:
                links.append(supervised(user_id=user.pk, department_id=setup.departments[dept]))
    supervised.objects.bulk_create(links, batch_size=2000)
    extra = User.extra_stores.through
    auditor = by_name[GROUP_AUDITOR]
    extra.objects.bulk_create([extra(user_id=auditor.pk, store_id=s.store.pk) for s in setups[1:]], batch_size=2000)


def _store_setup(setup: StoreSetup) -> None:
    """Telephone and lounge settings (the defaults), drinks, seats, facilities, the hygiene template and area."""
    store = setup.store
    phone_settings(store)
    found = lounge_settings(store)
    setup.greet_seconds = found.greet_within_seconds
    setup.refill_minutes = found.refill_every_minutes
    setup.help_minutes = found.help_within_minutes
    setup.fix_hours = found.fix_within_hours
    Drink.objects.bulk_create([Drink(store=store, name=name, position=i) for i, name in enumerate(DRINKS, start=1)])
    setup.drinks = dict(Drink.objects.filter(store=store).values_list("name", "id"))
    Seat.objects.bulk_create(
        [
            Seat(store=store, label=f"{row}{n}", token=new_seat_token())
            for row in SEAT_ROWS
            for n in range(1, SEATS_PER_ROW + 1)
        ]
    )
    setup.seat_labels = dict(Seat.objects.filter(store=store).order_by("id").values_list("id", "label"))
    setup.seats = list(setup.seat_labels)
    facility_defaults(store=store)
    setup.facilities = dict(store.facilities.values_list("name", "id"))
    template = template_default_lounge(store)
    setup.area = Area.objects.filter(store=store, template=template).select_related("template").first()
    setup.items = list(template.items.order_by("position", "id"))
