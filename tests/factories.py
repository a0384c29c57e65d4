"""Test data builders: small, explicit, no magic."""

from dataclasses import dataclass, field
from datetime import time

from org.choices import DepartmentKind, Role
from org.models import BusinessHours, DealerGroup, Department, Store, User

PASSWORD = "Passw0rd!2026"


@dataclass
class StoreWorld:
    store: Store
    cs: Department  # customer service
    lounge: Department
    manager: User
    supervisor: User
    staff: User
    auditor: User


@dataclass
class World:
    group: DealerGroup
    admin: User
    a: StoreWorld
    b: StoreWorld
    extra: dict = field(default_factory=dict)


def make_user(username, *, role, store=None, group=None, department=None, name=None, **extra) -> User:
    user = User(
        username=username,
        name=name or username,
        role=role,
        store=store,
        group=group or (store.group if store else None),
        department=department,
        **extra,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def make_store(group, code, name) -> Store:
    store = Store.objects.create(
        group=group, code=code, name=name, brand="一汽丰田", city="北京", phone="010 6789 1234"
    )
    for weekday in range(7):
        BusinessHours.objects.create(store=store, weekday=weekday, opens=time(8, 30), closes=time(18, 0))
    return store


def make_store_world(group, code, name, n) -> StoreWorld:
    store = make_store(group, code, name)
    cs = Department.objects.create(store=store, kind=DepartmentKind.CUSTOMER_SERVICE, name="客服部")
    lounge = Department.objects.create(store=store, kind=DepartmentKind.LOUNGE, name="客户休息室")
    manager = make_user(f"manager{n}", role=Role.STORE_MANAGER, store=store, employee_no=f"E{n}001", name=f"经理{n}")
    supervisor = make_user(
        f"supervisor{n}", role=Role.SUPERVISOR, store=store, department=cs, employee_no=f"E{n}002", name=f"主管{n}"
    )
    supervisor.supervised_departments.add(cs)
    staff = make_user(
        f"staff{n}",
        role=Role.STAFF,
        store=store,
        department=cs,
        employee_no=f"E{n}003",
        name=f"客服{n}",
        extension=f"80{n}1",
    )
    auditor = make_user(f"auditor{n}", role=Role.AUDITOR, store=store, employee_no=f"E{n}004", name=f"稽核{n}")
    return StoreWorld(store, cs, lounge, manager, supervisor, staff, auditor)


def make_world() -> World:
    group = DealerGroup.objects.create(name="测试汽车集团")
    admin = make_user("admin", role=Role.GROUP_ADMIN, group=group, employee_no="E0001", name="总部刘总")
    a = make_store_world(group, "S001", "测试一店", 1)
    b = make_store_world(group, "S002", "测试二店", 2)
    return World(group=group, admin=admin, a=a, b=b)


def make_customer(store, *, name="张三", mobile="13812345678", actor=None, **data):
    from customers.services.customers import customer_create

    return customer_create(actor=actor, store=store, name=name, mobile=mobile, **data)


def make_vehicle(owner, *, plate="京A12345", vin="", actor=None, **data):
    from customers.services.customers import vehicle_create

    return vehicle_create(actor=actor, owner=owner, plate=plate, vin=vin, **data)
