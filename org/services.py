"""Writes to the organisation: stores, business hours, closure days, departments and staff accounts.

The web views (and later the API and commands) call these functions, so a rule holds everywhere.
Each write checks the actor's right behind the store wall, validates every field at once (a
ValidationError dict naming the fields), saves inside one transaction and keeps the history.
Passwords never enter the history.
"""

import re
from collections.abc import Iterable
from datetime import date, time

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import history_record, history_record_saved, snapshot
from core.models import HistoryAction
from core.validators import format_phone, normalize_any_phone, webhook_hosts, webhook_url_allowed

from .access import Right, has_right, role_of, store_ids
from .choices import DepartmentKind, Gender, Role, Weekday
from .models import BusinessHours, DealerGroup, Department, Store, StoreClosure, User
from .selectors import assignable_roles, may_manage_person

STORE_FIELDS = [
    "code",
    "name",
    "brand",
    "city",
    "address",
    "phone",
    "active",
    "open_on_public_holidays",
    "wecom_webhook_url",
]
HOURS_FIELDS = ["closed", "opens", "closes"]
CLOSURE_FIELDS = ["date", "reason"]
DEPARTMENT_FIELDS = ["kind", "name", "active"]
STAFF_FIELDS = [
    "username",
    "name",
    "employee_no",
    "gender",
    "position",
    "role",
    "store",
    "department",
    "extension",
    "badge_no",
    "email",
    "is_active",
]
PASSWORD_PLACEHOLDER = "********"
DEFAULT_OPENS = time(8, 30)
DEFAULT_CLOSES = time(18, 0)

_STORE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,9}$")
_EXTENSION = re.compile(r"^\d{1,10}$")
_MANAGER_ROLES = (Role.STORE_MANAGER, Role.AUDITOR)


def _check(actor, right: Right, store_id: int | None = None) -> None:
    """The views check first (404/403); the services check again, so no caller can skip it."""
    if not has_right(actor, right, store_id):
        raise PermissionDenied


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# Stores


def _group_for(actor, group: DealerGroup | None) -> DealerGroup:
    if actor.group_id:
        if group is not None and group.pk != actor.group_id:
            raise ValidationError({"group": [_("You can create stores only in your own dealer group.")]})
        return actor.group
    if group is not None:
        return group
    groups = list(DealerGroup.objects.all()[:2])
    if len(groups) == 1:
        return groups[0]
    raise ValidationError({"group": [_("Choose the dealer group the store belongs to.")]})


def _clean_store_input(data: dict, *, exclude_pk: int | None = None) -> dict:
    errors: dict[str, list] = {}
    cleaned = {key: _text(data, key) for key in ("code", "name", "brand", "city", "address", "phone")}
    cleaned["code"] = cleaned["code"].upper()
    cleaned["active"] = bool(data.get("active", True))
    cleaned["open_on_public_holidays"] = bool(data.get("open_on_public_holidays", False))
    cleaned["wecom_webhook_url"] = _text(data, "wecom_webhook_url")
    if cleaned["wecom_webhook_url"]:
        if not webhook_url_allowed(cleaned["wecom_webhook_url"]):
            errors["wecom_webhook_url"] = [
                _(
                    "WeCom group robot webhook: only the robot's address as WeCom shows it is accepted, "
                    "https://%(host)s/cgi-bin/webhook/send?key=…, with its key; other addresses are refused."
                )
                % {"host": (webhook_hosts() or ["qyapi.weixin.qq.com"])[0]}
            ]
    if not cleaned["code"]:
        errors["code"] = [_("Enter the store code, for example S001.")]
    elif not _STORE_CODE.match(cleaned["code"]):
        errors["code"] = [_("A store code has 1 to 10 capital letters, digits or hyphens, for example S001.")]
    elif Store.objects.filter(code__iexact=cleaned["code"]).exclude(pk=exclude_pk).exists():
        errors["code"] = [_("Another store already has the code %(code)s.") % {"code": cleaned["code"]}]
    for key, message in (
        ("name", _("Enter the store's name.")),
        ("brand", _("Enter the brand the store sells, for example 一汽丰田.")),
        ("city", _("Enter the city the store is in.")),
    ):
        if not cleaned[key]:
            errors[key] = [message]
    if cleaned["phone"]:
        try:
            cleaned["phone"] = format_phone(normalize_any_phone(cleaned["phone"]))
        except ValidationError as exc:
            errors["phone"] = exc.messages
    _raise(errors)
    return cleaned


def _save_unique(obj, recheck) -> None:
    """Save; a unique constraint broken by a concurrent write becomes the field's message."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        recheck()
        raise


@transaction.atomic
def store_create(*, actor, data: dict, group: DealerGroup | None = None) -> Store:
    """Open a store in the actor's dealer group, with the default hours 08:30–18:00 every day."""
    _check(actor, Right.MANAGE_GROUP)
    group = _group_for(actor, group)
    cleaned = _clean_store_input(data)
    store = Store(group=group, **cleaned)
    store.full_clean()
    _save_unique(store, lambda: _clean_store_input(data))
    BusinessHours.objects.bulk_create(
        [BusinessHours(store=store, weekday=day, opens=DEFAULT_OPENS, closes=DEFAULT_CLOSES) for day in Weekday.values]
    )
    history_record(
        actor=actor, obj=store, action=HistoryAction.CREATE, after=snapshot(store, STORE_FIELDS), store_id=store.pk
    )
    return store


@transaction.atomic
def store_update(*, actor, store: Store, data: dict) -> Store:
    """Change a store's details; its code and whether it is active are the group's to change."""
    _check(actor, Right.MANAGE_STORE, store.pk)
    store = Store.objects.select_for_update().get(pk=store.pk)
    merged = {key: getattr(store, key) for key in STORE_FIELDS} | data
    cleaned = _clean_store_input(merged, exclude_pk=store.pk)
    if not has_right(actor, Right.MANAGE_GROUP):
        errors = {}
        if cleaned["code"] != store.code:
            errors["code"] = [_("Only a group administrator can change a store's code.")]
        if cleaned["active"] != store.active:
            errors["active"] = [_("Only a group administrator can close or reopen a store.")]
        _raise(errors)
    before = snapshot(store, STORE_FIELDS)
    for key in STORE_FIELDS:
        setattr(store, key, cleaned[key])
    store.full_clean()
    _save_unique(store, lambda: _clean_store_input(merged, exclude_pk=store.pk))
    history_record(
        actor=actor,
        obj=store,
        action=HistoryAction.UPDATE,
        before=before,
        after=snapshot(store, STORE_FIELDS),
        store_id=store.pk,
    )
    return store


# Business hours and closure days


def _as_time(value) -> time | None:
    if value in (None, ""):
        return None
    if isinstance(value, time):
        return value
    return time.fromisoformat(str(value).strip())


@transaction.atomic
def business_hours_set(*, actor, store: Store, hours: dict[int, dict]) -> list[BusinessHours]:
    """Set the opening hours of the given weekdays: each day is closed, or opens before it closes.

    `hours` maps a weekday (0 = Monday) to {"closed": bool, "opens": time, "closes": time}.
    Errors name the fields `opens_<weekday>` and `closes_<weekday>`.
    """
    _check(actor, Right.MANAGE_STORE, store.pk)
    store = Store.objects.select_for_update().get(pk=store.pk)
    errors: dict[str, list] = {}
    plan = []
    for weekday, values in sorted(hours.items()):
        if weekday not in Weekday.values:
            raise ValidationError(_("Unknown weekday."))
        day = Weekday(weekday).label
        closed = bool(values.get("closed"))
        times = {}
        for key in ("opens", "closes"):
            try:
                times[key] = _as_time(values.get(key))
            except ValueError:
                errors[f"{key}_{weekday}"] = [_("%(day)s: enter the time as HH:MM.") % {"day": day}]
                times[key] = None
        opens, closes = times["opens"], times["closes"]
        if closed:
            opens = closes = None
        elif not errors.get(f"opens_{weekday}") and not errors.get(f"closes_{weekday}"):
            if opens is None:
                errors[f"opens_{weekday}"] = [
                    _("%(day)s: enter the opening time, or mark the day as closed.") % {"day": day}
                ]
            if closes is None:
                errors[f"closes_{weekday}"] = [
                    _("%(day)s: enter the closing time, or mark the day as closed.") % {"day": day}
                ]
            if opens is not None and closes is not None and closes <= opens:
                errors[f"closes_{weekday}"] = [
                    _("%(day)s: the closing time %(closes)s must be later than the opening time %(opens)s.")
                    % {"day": day, "closes": f"{closes:%H:%M}", "opens": f"{opens:%H:%M}"}
                ]
        plan.append((weekday, closed, opens, closes))
    _raise(errors)
    existing = {row.weekday: row for row in store.business_hours.all()}
    saved = []
    for weekday, closed, opens, closes in plan:
        row = existing.get(weekday) or BusinessHours(store=store, weekday=weekday)
        creating = row.pk is None
        before = None if creating else snapshot(row, HOURS_FIELDS)
        row.closed, row.opens, row.closes = closed, opens, closes
        row.full_clean()
        row.save()
        history_record_saved(actor=actor, obj=row, fields=HOURS_FIELDS, before=before)
        saved.append(row)
    return saved


@transaction.atomic
def closure_add(*, actor, store: Store, date: date | None, reason: str = "") -> StoreClosure:
    """Add a day on which the store is closed; a day is added once."""
    _check(actor, Right.MANAGE_STORE, store.pk)
    if isinstance(date, str):
        try:
            date = _parse_date(date)
        except ValueError:
            raise ValidationError({"date": [_("Enter the date as YYYY-MM-DD.")]})
    if date is None:
        raise ValidationError({"date": [_("Enter the date on which the store is closed.")]})

    def duplicate():
        if StoreClosure.objects.filter(store=store, date=date).exists():
            raise ValidationError(
                {"date": [_("The store is already closed on %(date)s.") % {"date": date.isoformat()}]}
            )

    duplicate()
    closure = StoreClosure(store=store, date=date, reason=(reason or "").strip())
    closure.full_clean(validate_constraints=False)
    _save_unique(closure, duplicate)
    history_record(actor=actor, obj=closure, action=HistoryAction.CREATE, after=snapshot(closure, CLOSURE_FIELDS))
    return closure


def _parse_date(value: str) -> date | None:
    value = value.strip()
    return date.fromisoformat(value) if value else None


@transaction.atomic
def closure_remove(*, actor, closure: StoreClosure) -> None:
    """Remove a closure day: the store is open that day after all (the removal is kept)."""
    _check(actor, Right.MANAGE_STORE, closure.store_id)
    history_record(actor=actor, obj=closure, action=HistoryAction.DELETE, before=snapshot(closure, CLOSURE_FIELDS))
    closure.delete()


# Departments


def _clean_department(*, store: Store, kind: str, name: str, exclude_pk: int | None = None) -> tuple[str, str]:
    errors: dict[str, list] = {}
    name = (name or "").strip()
    if kind not in DepartmentKind.values:
        errors["kind"] = [_("Choose one of the offered kinds of department.")]
    if not name:
        errors["name"] = [_("Enter the department's name as callers hear it, for example 客服部.")]
    elif Department.objects.filter(store=store, name__iexact=name).exclude(pk=exclude_pk).exists():
        errors["name"] = [
            _("The store %(store)s already has a department named %(name)s.") % {"store": store.code, "name": name}
        ]
    _raise(errors)
    return kind, name


@transaction.atomic
def department_create(*, actor, store: Store, kind: str, name: str) -> Department:
    """Add a department to a store; its name is unique in the store."""
    _check(actor, Right.MANAGE_STORE, store.pk)
    kind, name = _clean_department(store=store, kind=kind, name=name)
    department = Department(store=store, kind=kind, name=name)
    department.full_clean(validate_constraints=False)
    _save_unique(department, lambda: _clean_department(store=store, kind=kind, name=name))
    history_record(
        actor=actor, obj=department, action=HistoryAction.CREATE, after=snapshot(department, DEPARTMENT_FIELDS)
    )
    return department


@transaction.atomic
def department_update(*, actor, department: Department, kind: str, name: str, active: bool) -> Department:
    """Rename, re-kind, close or reopen a department."""
    _check(actor, Right.MANAGE_STORE, department.store_id)
    department = Department.objects.select_for_update().select_related("store").get(pk=department.pk)
    kind, name = _clean_department(store=department.store, kind=kind, name=name, exclude_pk=department.pk)
    before = snapshot(department, DEPARTMENT_FIELDS)
    department.kind, department.name, department.active = kind, name, bool(active)
    department.full_clean(validate_constraints=False)
    _save_unique(
        department,
        lambda: _clean_department(store=department.store, kind=kind, name=name, exclude_pk=department.pk),
    )
    history_record(
        actor=actor,
        obj=department,
        action=HistoryAction.UPDATE,
        before=before,
        after=snapshot(department, DEPARTMENT_FIELDS),
    )
    return department


# Staff


def _names(objects: Iterable) -> str:
    return ", ".join(sorted(str(obj) for obj in objects))


def _staff_snapshot(person: User) -> dict:
    values = snapshot(person, STAFF_FIELDS)
    if person.pk:
        values["supervised_departments"] = _names(person.supervised_departments.all())
        values["extra_stores"] = _names(person.extra_stores.all())
    return values


def _clean_staff_input(*, actor, data: dict, person: User | None) -> dict:
    """Normalise and check a person's account fields; every field's error at once."""
    errors: dict[str, list] = {}
    exclude_pk = person.pk if person else None
    others = User.objects.exclude(pk=exclude_pk)
    cleaned = {key: _text(data, key) for key in ("username", "name", "position", "extension", "badge_no", "email")}
    cleaned["employee_no"] = _text(data, "employee_no") or None
    cleaned["gender"] = _text(data, "gender")
    role = cleaned["role"] = _text(data, "role")
    store = cleaned["store"] = data.get("store")
    department = cleaned["department"] = data.get("department")
    supervised = list(data.get("supervised_departments") or [])
    extra = [s for s in (data.get("extra_stores") or []) if store is None or s.pk != store.pk]

    username = cleaned["username"]
    if not username:
        errors["username"] = [_("Enter the sign-in name of the account.")]
    elif others.filter(username__iexact=username).exists():
        errors["username"] = [_("The sign-in name %(username)s is taken; choose another.") % {"username": username}]
    elif others.filter(employee_no=username).exists():
        errors["username"] = [
            _("%(username)s is another person's employee number, which also signs in; choose another name.")
            % {"username": username}
        ]
    if not cleaned["name"]:
        errors["name"] = [_("Enter the person's name.")]
    employee_no = cleaned["employee_no"]
    if employee_no:
        holder = others.filter(employee_no=employee_no).first()
        if holder is not None:
            errors["employee_no"] = [
                _("The employee number %(number)s already belongs to %(name)s.")
                % {"number": employee_no, "name": holder}
            ]
        elif others.filter(username__iexact=employee_no).exists():
            errors["employee_no"] = [
                _("%(number)s is another person's sign-in name; an employee number must not be.")
                % {"number": employee_no}
            ]
    if cleaned["gender"] not in Gender.values:
        errors["gender"] = [_("Choose one of the offered genders.")]

    if role not in Role.values:
        errors["role"] = [_("Choose one of the offered roles.")]
    elif person is not None and person.pk == actor.pk and role != person.role:
        errors["role"] = [_("You cannot change your own role; ask the person above you.")]
    elif role == Role.GROUP_ADMIN and role_of(actor) != Role.GROUP_ADMIN:
        errors["role"] = [_("Only a group administrator can make someone a group administrator.")]
    elif role not in assignable_roles(actor) and not (person is not None and role == person.role):
        errors["role"] = [_("You cannot give the role %(role)s: it is above your own.") % {"role": Role(role).label}]

    store_changed = person is None or store != person.store
    if store is None:
        if role != Role.GROUP_ADMIN:
            errors["store"] = [_("Choose the person's store; only group administrators may have none.")]
    elif store_changed and not has_right(actor, Right.MANAGE_STAFF, store.pk):
        errors["store"] = [_("You can place people only in the stores you manage.")]
    group = store.group if store is not None else (actor.group if actor.group_id else getattr(person, "group", None))
    if group is None and "store" not in errors:
        errors["store"] = [_("Choose the person's store, so that they belong to a dealer group.")]
    cleaned["group"] = group

    if department is not None and (store is None or department.store_id != store.pk):
        errors["department"] = [
            _("The department %(department)s belongs to another store; choose a department of the person's store.")
            % {"department": department}
        ]
    elif department is not None and not department.active and (person is None or person.department_id != department.pk):
        errors["department"] = [_("The department %(department)s is closed.") % {"department": department}]

    if supervised and role != Role.SUPERVISOR:
        errors["supervised_departments"] = [
            _("Only supervisors are responsible for departments; choose the role Supervisor or clear this field.")
        ]
    elif supervised:
        foreign = [d for d in supervised if store is None or d.store_id != store.pk]
        if foreign:
            errors["supervised_departments"] = [
                _("Supervised departments must be of the person's store; %(departments)s are not.")
                % {"departments": _names(foreign)}
            ]
    cleaned["supervised_departments"] = supervised

    mine = store_ids(actor) if has_right(actor, Right.MANAGE_STAFF) else frozenset()
    if extra and role not in _MANAGER_ROLES:
        errors["extra_stores"] = [_("Only store managers and auditors look after further stores; clear this field.")]
    elif extra:
        outside = [s for s in extra if s.pk not in mine]
        if outside:
            errors["extra_stores"] = [
                _("You can give only stores that you manage yourself; %(stores)s are not.")
                % {"stores": _names(outside)}
            ]
    if role in _MANAGER_ROLES and person is not None:
        # further stores outside the actor's wall stay as they are: the actor neither sees nor changes them
        kept = [s for s in person.extra_stores.all() if s.pk not in mine and (store is None or s.pk != store.pk)]
        extra = extra + kept
    cleaned["extra_stores"] = extra

    extension = cleaned["extension"]
    if extension:
        if not _EXTENSION.match(extension):
            errors["extension"] = [_("A desk phone extension has only digits, at most 10.")]
        elif store is not None:
            holder = others.filter(store=store, extension=extension).first()
            if holder is not None:
                errors["extension"] = [
                    _("The extension %(extension)s is already used by %(name)s in this store.")
                    % {"extension": extension, "name": holder}
                ]
    _raise(errors)
    return cleaned


def _apply_staff(person: User, cleaned: dict) -> None:
    for key in ("username", "name", "employee_no", "gender", "position", "role", "store", "department"):
        setattr(person, key, cleaned[key])
    for key in ("extension", "badge_no", "email", "group"):
        setattr(person, key, cleaned[key])


def _password_errors(password: str, person: User) -> list[str]:
    if not password:
        return [_("Enter a password.")]
    try:
        validate_password(password, user=person)
    except ValidationError as exc:
        return exc.messages
    return []


@transaction.atomic
def staff_create(*, actor, data: dict, password: str) -> User:
    """Open a sign-in account for a person of the actor's stores, with a password that passes the rules."""
    _check(actor, Right.MANAGE_STAFF)
    errors: dict[str, list] = {}
    try:
        cleaned = _clean_staff_input(actor=actor, data=data, person=None)
    except ValidationError as exc:
        errors = exc.message_dict
        cleaned = None
    person = User(is_active=True)
    if cleaned is not None:
        _apply_staff(person, cleaned)
    else:
        person.username, person.name = _text(data, "username"), _text(data, "name")
    problems = _password_errors(password, person)
    if problems:
        errors["password"] = problems
    _raise(errors)
    person.set_password(password)
    person.full_clean()
    _save_unique(person, lambda: _clean_staff_input(actor=actor, data=data, person=None))
    person.supervised_departments.set(cleaned["supervised_departments"])
    person.extra_stores.set(cleaned["extra_stores"])
    history_record(actor=actor, obj=person, action=HistoryAction.CREATE, after=_staff_snapshot(person))
    return person


def _lock_person(actor, person: User) -> User:
    if not may_manage_person(actor, person):
        raise PermissionDenied
    person = User.objects.select_for_update().get(pk=person.pk)
    if not may_manage_person(actor, person):
        raise PermissionDenied
    return person


@transaction.atomic
def staff_update(*, actor, staff: User, data: dict) -> User:
    """Change a person's account (not the password): the same rules as at creation; history kept."""
    person = _lock_person(actor, staff)
    before = _staff_snapshot(person)
    merged = {key: getattr(person, key) for key in STAFF_FIELDS}
    merged["supervised_departments"] = list(person.supervised_departments.all())
    merged["extra_stores"] = list(person.extra_stores.all())
    merged |= data
    cleaned = _clean_staff_input(actor=actor, data=merged, person=person)
    _apply_staff(person, cleaned)
    person.full_clean()
    _save_unique(person, lambda: _clean_staff_input(actor=actor, data=merged, person=person))
    person.supervised_departments.set(cleaned["supervised_departments"])
    person.extra_stores.set(cleaned["extra_stores"])
    history_record(actor=actor, obj=person, action=HistoryAction.UPDATE, before=before, after=_staff_snapshot(person))
    return person


@transaction.atomic
def staff_set_active(*, actor, staff: User, active: bool) -> User:
    """Deactivate a person (they can no longer sign in; their records stay) or reactivate them."""
    person = _lock_person(actor, staff)
    if person.pk == actor.pk and not active:
        raise ValidationError({"active": [_("You cannot deactivate your own account.")]})
    if person.is_active == bool(active):
        return person
    before = snapshot(person, ["is_active"])
    person.is_active = bool(active)
    person.save(update_fields=["is_active"])
    history_record(
        actor=actor, obj=person, action=HistoryAction.UPDATE, before=before, after=snapshot(person, ["is_active"])
    )
    return person


@transaction.atomic
def staff_set_password(*, actor, staff: User, password: str) -> User:
    """Give a person a new password that passes the password rules; the history notes only that it changed."""
    person = _lock_person(actor, staff)
    problems = _password_errors(password, person)
    if problems:
        raise ValidationError({"password": problems})
    person.set_password(password)
    person.save(update_fields=["password"])
    # the history says that the password changed, never what it is (not even its hash)
    history_record(
        actor=actor,
        obj=person,
        action=HistoryAction.UPDATE,
        before={"password": ""},
        after={"password": PASSWORD_PLACEHOLDER},
        note=_("Password set."),
    )
    return person
