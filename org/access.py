"""The store wall: what a person may see and do, decided here and nowhere else.

Every list, detail, form, export and API endpoint asks this module. A record of a store outside
the person's stores does not exist for them (404); a right their role lacks is a 403.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from core.validators import parse_id

from .choices import Role


class Right(StrEnum):
    VIEW = "view"  # see the store's records
    EDIT = "edit"  # create and change customers, vehicles and later business records
    REVEAL_PHONE = "reveal_phone"  # show a masked phone number in full (logged)
    IMPORT = "import"  # import customers and vehicles from a file
    PERSONAL_DATA = "personal_data"  # export a customer's data and erase it on request
    MANAGE_STORE = "manage_store"  # a store's details, hours, closures and departments
    MANAGE_STAFF = "manage_staff"  # staff accounts of the store
    MANAGE_GROUP = "manage_group"  # create stores; every store of the group


_EVERYDAY = {Right.VIEW, Right.EDIT, Right.REVEAL_PHONE}
ROLE_RIGHTS: dict[str, frozenset[Right]] = {
    Role.GROUP_ADMIN: frozenset(Right),
    Role.STORE_MANAGER: frozenset(
        _EVERYDAY | {Right.IMPORT, Right.PERSONAL_DATA, Right.MANAGE_STORE, Right.MANAGE_STAFF}
    ),
    Role.SUPERVISOR: frozenset(_EVERYDAY),
    Role.STAFF: frozenset(_EVERYDAY),
    Role.AUDITOR: frozenset({Right.VIEW}),
}


def role_of(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.GROUP_ADMIN
    return user.role


def store_ids(user) -> frozenset[int]:
    """The ids of the stores behind the person's wall (cached on the user object)."""
    cached = getattr(user, "_store_ids", None)
    if cached is not None:
        return cached
    from .models import Store

    role = role_of(user)
    if role is None:
        ids = frozenset()
    elif role == Role.GROUP_ADMIN:
        qs = (
            Store.objects.all()
            if user.is_superuser and not user.group_id
            else Store.objects.filter(group_id=user.group_id)
        )
        ids = frozenset(qs.values_list("id", flat=True))
    elif role in (Role.STORE_MANAGER, Role.AUDITOR):
        extra = set(user.extra_stores.values_list("id", flat=True))
        ids = frozenset(extra | ({user.store_id} if user.store_id else set()))
    else:
        ids = frozenset({user.store_id} if user.store_id else set())
    user._store_ids = ids
    return ids


def has_right(user, right: Right, store_id: int | None = None) -> bool:
    """Whether the person's role has the right, and (when given) the store is theirs."""
    role = role_of(user)
    if role is None or right not in ROLE_RIGHTS[role]:
        return False
    return store_id is None or store_id in store_ids(user)


def require(user, right: Right, store_id: int | None = None) -> None:
    """404 when the store is outside the wall, 403 when the role lacks the right."""
    if store_id is not None and store_id not in store_ids(user):
        raise Http404
    if not has_right(user, right):
        raise PermissionDenied


def deny_unless(allowed: bool) -> None:
    """403 unless the decision (``has_right``, ``may_act_on`` or a module's own ``may_…``) allows it.

    The one way services refuse a person; views ask the wall first with ``require`` or ``get_for_user``.
    """
    if not allowed:
        raise PermissionDenied


def scope(qs: QuerySet, user, field: str = "store") -> QuerySet:
    """Only the records of the person's stores."""
    return qs.filter(**{f"{field}__in": store_ids(user)})


def get_for_user(qs: QuerySet, user, *, right: Right = Right.VIEW, field: str = "store", **lookup) -> Model:
    """One record behind the wall, or 404; a right the role lacks is 403.

    A `pk` that is no id (not ASCII digits, 0, beyond the largest id) is a 404 like a missing record.
    """
    if "pk" in lookup and parse_id(lookup["pk"]) is None:
        raise Http404
    try:
        obj = scope(qs, user, field).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not has_right(user, right):
        raise PermissionDenied
    return obj


def stores_for(user, right: Right = Right.VIEW):
    """Stores in which the person holds the right, for store pickers."""
    from .models import Store

    if not has_right(user, right):
        return Store.objects.none()
    return Store.objects.filter(id__in=store_ids(user), active=True).order_by("code")


def store_for_page(user, ref=None, right: Right = Right.VIEW):
    """The store a page is about: the one named by ?store=<id> among the person's stores, else their own, else
    their first.

    A store outside the person's stores (or a name that is no id) is 404, as if it did not exist.
    """
    stores = stores_for(user, right)
    ref = str(ref or "").strip()
    if ref:
        pk = parse_id(ref)
        store = stores.filter(pk=pk).first() if pk else None
        if store is None:
            raise Http404
        return store
    store = stores.filter(pk=user.store_id).first() if user.store_id else None
    store = store or stores.first()
    if store is None:
        raise Http404
    return store


# --- Who may act on a record inside a store ------------------------------------------------------
# The wall above says which stores a person sees and what their role may do there. Inside a store, a
# record that belongs to someone (a promise, a fault ticket, a corrective action, a lounge request, a
# message) is acted on — kept, fixed, closed, cancelled, paused — only by those it concerns.


def supervised_department_ids(user) -> frozenset[int]:
    """The departments the person supervises: their own as a supervisor, and those named on their account
    (cached on the user object)."""
    cached = getattr(user, "_supervised_ids", None)
    if cached is not None:
        return cached
    ids: set[int] = set()
    role = role_of(user)
    if role == Role.SUPERVISOR and user.department_id:
        ids.add(user.department_id)
    if role is not None:
        ids |= set(user.supervised_departments.values_list("id", flat=True))
    user._supervised_ids = frozenset(ids)
    return user._supervised_ids


def may_act_on(user, *, store_id: int, owner_id: int | None = None, department_id: int | None = None) -> bool:
    """Whether the person may change the state of a record of the store that belongs to someone.

    - the owner: the person (``owner_id``), or, for a record a department owns (no ``owner_id``), any member
      of that department (``department_id``);
    - their supervisor: a supervisor of the owning department, or of the owner's own department;
    - the store's managers, and the group's administrators;
    - nobody else: not a colleague of another department, not a supervisor of another department, never
      an auditor (who may only read), never anyone of another store.

    A record that belongs to nobody (neither given) is everyday work of anyone who may edit in the store.
    """
    role = role_of(user)
    if role is None or not has_right(user, Right.EDIT, store_id):
        return False
    if role in (Role.GROUP_ADMIN, Role.STORE_MANAGER):
        return True
    if owner_id is None and department_id is None:
        return True
    if owner_id is not None and owner_id == user.pk:
        return True
    if owner_id is None and department_id is not None and user.department_id == department_id:
        return True
    supervised = supervised_department_ids(user)
    if not supervised:
        return False
    if department_id is not None and department_id in supervised:
        return True
    if owner_id is not None:
        from .models import User

        owner_department = User.objects.filter(pk=owner_id).values_list("department_id", flat=True).first()
        return owner_department is not None and owner_department in supervised
    return False


def may_see_person(user, *, store_id: int, person_id: int, auditors: bool = True) -> bool:
    """Whether the person may see someone's personal records — their checks, discipline records and the page of
    their record (S6, S1): that person, their supervisors, the store's managers and the group's administrators
    (``may_act_on``), and the store's auditors unless ``auditors`` is False (photos of people: S6). Never a
    colleague, a supervisor of another department, or anyone of another store."""
    if role_of(user) == Role.AUDITOR:
        return auditors and store_id in store_ids(user)
    return may_act_on(user, store_id=store_id, owner_id=person_id)


def require_act(user, *, store_id: int, owner_id: int | None = None, department_id: int | None = None) -> None:
    """404 when the store is outside the person's wall; 403 when they may not act on the record (see
    ``may_act_on``)."""
    if store_id not in store_ids(user):
        raise Http404
    if not may_act_on(user, store_id=store_id, owner_id=owner_id, department_id=department_id):
        raise PermissionDenied


def store_from_ref(user, ref, *, right, default_own: bool = True):
    """The store an API caller names by code or id, among those where they hold `right`.

    Without a name: the caller's own store (when `default_own`), else their only store; otherwise a
    422 on the field "store". A store that is not theirs is the same 422, so nothing is revealed.
    """
    stores = stores_for(user, right)
    if ref is None or (isinstance(ref, str) and not ref.strip()):
        if default_own and user.store_id and stores.filter(pk=user.store_id).exists():
            return stores.get(pk=user.store_id)
        candidates = list(stores[:2])
        if len(candidates) == 1:
            return candidates[0]
        raise ValidationError(
            {"store": [ValidationError(_("Give the store's code or id (see GET /api/v1/stores)."), code="required")]}
        )
    if isinstance(ref, int):
        match = stores.filter(pk=ref) if parse_id(ref) else stores.none()
    else:
        ref = ref.strip()
        pk = parse_id(ref)
        match = stores.filter(Q(code=ref) | Q(pk=pk)) if pk else stores.filter(code=ref)
    store = match.first()
    if store is None:
        raise ValidationError(
            {
                "store": [
                    ValidationError(_("There is no such store among yours (see GET /api/v1/stores)."), code="invalid")
                ]
            }
        )
    return store
