"""Writes to staff accounts: open, change, deactivate or reactivate an account, set a password.

Each write checks that the actor may manage the person (``deny_unless``), validates every field at once,
saves inside one transaction and keeps the history. Passwords never enter the history.
"""

import re
from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import history_record, snapshot
from core.db import save_or_conflict
from core.markers import UNCHANGED, Unchanged, given
from core.models import HistoryAction
from core.validators import field_error, text_value

from ..access import Right, deny_unless, has_right, role_of, store_ids
from ..choices import Gender, Role
from ..models import Department, Store, User
from ..selectors import assignable_roles, may_manage_person

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

_EXTENSION = re.compile(r"^\d{1,10}$")
_MANAGER_ROLES = (Role.STORE_MANAGER, Role.AUDITOR)


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
    cleaned = {
        key: text_value(data.get(key)) for key in ("username", "name", "position", "extension", "badge_no", "email")
    }
    cleaned["employee_no"] = text_value(data.get("employee_no")) or None
    cleaned["gender"] = text_value(data.get("gender"))
    role = cleaned["role"] = text_value(data.get("role"))
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
    if errors:
        raise ValidationError(errors)
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
def staff_create(
    *,
    actor: User,
    username: str,
    name: str,
    role: str,
    store: Store | None,
    password: str,
    employee_no: str | None = None,
    gender: str = "",
    position: str = "",
    department: Department | None = None,
    supervised_departments: Iterable[Department] = (),
    extra_stores: Iterable[Store] = (),
    extension: str = "",
    badge_no: str = "",
    email: str = "",
) -> User:
    """Open a sign-in account for a person of the actor's stores, with a password that passes the rules."""
    deny_unless(has_right(actor, Right.MANAGE_STAFF))
    data = {
        "username": username,
        "name": name,
        "role": role,
        "store": store,
        "employee_no": employee_no,
        "gender": gender,
        "position": position,
        "department": department,
        "supervised_departments": list(supervised_departments),
        "extra_stores": list(extra_stores),
        "extension": extension,
        "badge_no": badge_no,
        "email": email,
    }
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
        person.username, person.name = text_value(data.get("username")), text_value(data.get("name"))
    problems = _password_errors(password, person)
    if problems:
        errors["password"] = problems
    if errors:
        raise ValidationError(errors)
    person.set_password(password)
    person.full_clean()
    save_or_conflict(person, field="username", recheck=lambda: _clean_staff_input(actor=actor, data=data, person=None))
    person.supervised_departments.set(cleaned["supervised_departments"])
    person.extra_stores.set(cleaned["extra_stores"])
    history_record(actor=actor, obj=person, action=HistoryAction.CREATE, after=_staff_snapshot(person))
    return person


def _lock_person(actor, person: User) -> User:
    deny_unless(may_manage_person(actor, person))
    person = User.objects.select_for_update().get(pk=person.pk)
    deny_unless(may_manage_person(actor, person))
    return person


@transaction.atomic
def staff_update(
    *,
    actor: User,
    staff: User,
    username: str | None = None,
    name: str | None = None,
    role: str | None = None,
    store: Store | None | Unchanged = UNCHANGED,
    employee_no: str | None | Unchanged = UNCHANGED,
    gender: str | None = None,
    position: str | None = None,
    department: Department | None | Unchanged = UNCHANGED,
    supervised_departments: Iterable[Department] | None = None,
    extra_stores: Iterable[Store] | None = None,
    extension: str | None = None,
    badge_no: str | None = None,
    email: str | None = None,
) -> User:
    """Change a person's account (not the password): the same rules as at creation; history kept.

    A field left None (UNCHANGED for the store, department and employee number, which may be emptied)
    stays as it is."""
    changes = {
        key: value
        for key, value in {
            "username": username,
            "name": name,
            "role": role,
            "gender": gender,
            "position": position,
            "supervised_departments": None if supervised_departments is None else list(supervised_departments),
            "extra_stores": None if extra_stores is None else list(extra_stores),
            "extension": extension,
            "badge_no": badge_no,
            "email": email,
        }.items()
        if value is not None
    }
    changes |= given(store=store, department=department, employee_no=employee_no)
    person = _lock_person(actor, staff)
    before = _staff_snapshot(person)
    merged = {key: getattr(person, key) for key in STAFF_FIELDS}
    merged["supervised_departments"] = list(person.supervised_departments.all())
    merged["extra_stores"] = list(person.extra_stores.all())
    merged |= changes
    cleaned = _clean_staff_input(actor=actor, data=merged, person=person)
    _apply_staff(person, cleaned)
    person.full_clean()
    save_or_conflict(
        person, field="username", recheck=lambda: _clean_staff_input(actor=actor, data=merged, person=person)
    )
    person.supervised_departments.set(cleaned["supervised_departments"])
    person.extra_stores.set(cleaned["extra_stores"])
    history_record(actor=actor, obj=person, action=HistoryAction.UPDATE, before=before, after=_staff_snapshot(person))
    return person


@transaction.atomic
def staff_set_active(*, actor, staff: User, active: bool) -> User:
    """Deactivate a person (they can no longer sign in; their records stay) or reactivate them."""
    person = _lock_person(actor, staff)
    if person.pk == actor.pk and not active:
        raise field_error("active", _("You cannot deactivate your own account."))
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
