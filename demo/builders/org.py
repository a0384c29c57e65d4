"""Demo data, part one: the dealer group, its two stores (hours, closure days, departments) and their staff.

Stores, hours, closure days and departments go through the org services, so the demo passes the
same validation and writes the same history as real use. Staff accounts are created directly,
because they all share the demo password, which the password rules would refuse (it is printed on
purpose).
"""

from dataclasses import dataclass
from datetime import date, time

from core.audit import history_record, snapshot
from core.models import HistoryAction
from org.choices import DepartmentKind, Gender, Role
from org.models import DealerGroup, Store, User
from org.services.departments import department_create
from org.services.staff import STAFF_FIELDS
from org.services.stores import business_hours_set, closure_add, store_create

GROUP_NAME = "华北汽车服务集团"
BRAND = "一汽丰田"

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


def org_build(*, password_hash: str) -> tuple[dict, dict]:
    """The group, its stores and their staff (every account with `password_hash`): (stores by code, people by username)."""
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
    return stores, people


def _store_create(admin: User, group: DealerGroup, spec: dict) -> Store:
    data = {key: spec[key] for key in ("code", "name", "brand", "city", "address", "phone")}
    store = store_create(actor=admin, group=group, **data)
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
