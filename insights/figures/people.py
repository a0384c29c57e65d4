"""People figures (S6.1–S6.4 grooming, S1.D1a–c, S1.D3, S1.D4 discipline and attendance, S1.D2 carried-over
work) and the person page's access: who may look at one person's figures.

As in the other figures modules, every figure counts the records matched by one named condition
(``FIGURES``), and ``records(scope, key)`` lists exactly the records the figure counts. Each reader runs a
fixed number of aggregate queries, whatever the data size (no rollups yet: these records are few per day).

- Grooming (S6.1–S6.4) and desk checks (S1.D3): a check of people (a round of purpose grooming or desk)
  checks each person on duty (``RoundSubject``); a person passes when none of their items failed. The pass
  rate by item counts the items answered (``RoundResult`` with a subject).
- Checks done on time: the rounds of purpose grooming or desk due in the period (done, missed, or open
  past their time), and those done on time.
- Corrections confirmed on time (S6.1): promises of kind GROOMING_CORRECTION kept vs due, as S1.4 counts.
- Discipline records (S1.D1a–c, S1.D3, S1.D4): the counted states (``DISCIPLINE_COUNTED``); the person page
  also shows the withdrawn ones, as withdrawn. Drafts and dismissed drafts are not records against anyone.
- Attendance (S1.D1a): days late and days left early, as the import counted them past the store's grace (the
  minutes its drafts were made from), and days with a punch missing.
- Carried-over work (S1.D2): ``CarryOver`` of the period's days.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checks.choices import Purpose, RoundState
from checks.models import Round, RoundResult, RoundSubject
from complaints.models import Complaint
from conduct.choices import DISCIPLINE_COUNTED, DisciplineKind, DisciplineState
from conduct.models import AttendanceDay, CarryOver, DisciplineRecord
from org import access
from org.access import role_of, store_ids, supervised_department_ids
from org.choices import Role
from org.models import User
from promises.choices import PromiseKind, PromiseState

from .base import FigureScope, share
from .telephone import PROMISE_CLOSED, promise_overdue_now, promises_in_scope

# --- who may see a person's figures ----------------------------------------------------------------


def may_see_person(user, person: User) -> bool:
    """The person themself, a supervisor of the person's department, the store's managers, its auditors and the
    group's administrators — never a colleague, nor a supervisor of another department (org.access)."""
    return access.may_see_person(user, store_id=person.store_id, person_id=person.pk)


def person_get_for_user(user, pk) -> User:
    """The person whose figures the page shows; 404 for anyone the user may not look at (a colleague, another
    store's person, a bad id), as if they did not exist."""
    person = User.objects.select_related("store", "department").filter(pk=pk).first() if str(pk).isdigit() else None
    if person is None or person.store_id is None or not may_see_person(user, person):
        raise Http404
    return person


def visible_people_ids(user) -> frozenset[int] | None:
    """The people whose rows the people figures show the user: None for everyone behind the wall (managers,
    auditors, administrators); a supervisor sees the people of the departments they supervise and themself;
    staff only themselves (one query for a supervisor)."""
    role = role_of(user)
    if role in (Role.GROUP_ADMIN, Role.STORE_MANAGER, Role.AUDITOR):
        return None
    ids = {user.pk}
    if role == Role.SUPERVISOR:
        departments = supervised_department_ids(user)
        ids |= set(
            User.objects.filter(store_id__in=store_ids(user), department_id__in=departments).values_list(
                "pk", flat=True
            )
        )
    return frozenset(ids)


def names_with_store(ids: frozenset[int]) -> dict[int, str]:
    """The people of the stores named with their store's code, for a group's rows (one query)."""
    people = User.objects.filter(store_id__in=ids).select_related("store").only("name", "username", "store__code")
    return {p.pk: f"{p.store.code} {p.name or p.username}" for p in people}


# --- the records in scope ------------------------------------------------------------------------------

SUBJECT, RESULT, ROUND, PROMISE, RECORD, ATTENDANCE, CARRY, COMPLAINT = (
    "subject",
    "result",
    "round",
    "promise",
    "record",
    "attendance",
    "carry",
    "complaint",
)
CHECK_PURPOSES = (Purpose.GROOMING, Purpose.DESK)


def _between(field: str, scope: FigureScope) -> Q:
    return Q(**{f"{field}__gte": scope.period.start, f"{field}__lt": scope.period.end})


def _days_between(field: str, scope: FigureScope) -> Q:
    return Q(**{f"{field}__gte": scope.period.first, f"{field}__lte": scope.period.last})


def subjects_in_scope(scope: FigureScope) -> QuerySet:
    """People checked (not absent) in grooming and desk checks done in the period (S6.1–S6.4, S1.D3)."""
    qs = RoundSubject.objects.filter(
        _between("checked_at", scope),
        store_id__in=scope.store_ids,
        round__purpose__in=CHECK_PURPOSES,
        absent=False,
    )
    if scope.department_id:
        qs = qs.filter(person__department_id=scope.department_id)
    if scope.person_id:
        qs = qs.filter(person_id=scope.person_id)
    return qs


def results_in_scope(scope: FigureScope) -> QuerySet:
    """The answered items of people checked in grooming checks submitted in the period (S6.1–S6.4)."""
    qs = RoundResult.objects.filter(
        _between("round__submitted_at", scope),
        store_id__in=scope.store_ids,
        round__purpose=Purpose.GROOMING,
        subject__isnull=False,
        passed__isnull=False,
    )
    if scope.department_id:
        qs = qs.filter(subject__department_id=scope.department_id)
    if scope.person_id:
        qs = qs.filter(subject_id=scope.person_id)
    return qs


def rounds_in_scope(scope: FigureScope) -> QuerySet:
    """Grooming and desk checks due in the period; a person is the one who did it (S6.1, S1.D3)."""
    qs = Round.objects.filter(_between("due_at", scope), store_id__in=scope.store_ids, purpose__in=CHECK_PURPOSES)
    if scope.department_id:
        qs = qs.filter(area__department_id=scope.department_id)
    if scope.person_id:
        qs = qs.filter(submitted_by_id=scope.person_id)
    return qs


def corrections_in_scope(scope: FigureScope) -> QuerySet:
    """Grooming corrections (S6.1) due in the period, as S1.4 counts promises."""
    return promises_in_scope(scope).filter(kind=PromiseKind.GROOMING_CORRECTION)


def discipline_in_scope(scope: FigureScope) -> QuerySet:
    """Discipline records of the period (S1.D1a–c, S1.D3, S1.D4), any state."""
    qs = DisciplineRecord.objects.filter(_between("occurred_at", scope), store_id__in=scope.store_ids)
    if scope.department_id:
        qs = qs.filter(person__department_id=scope.department_id)
    if scope.person_id:
        qs = qs.filter(person_id=scope.person_id)
    return qs


def attendance_in_scope(scope: FigureScope) -> QuerySet:
    """Attendance days of the period (S1.D1a)."""
    qs = AttendanceDay.objects.filter(_days_between("date", scope), store_id__in=scope.store_ids)
    if scope.department_id:
        qs = qs.filter(person__department_id=scope.department_id)
    if scope.person_id:
        qs = qs.filter(person_id=scope.person_id)
    return qs


def carry_overs_in_scope(scope: FigureScope) -> QuerySet:
    """Carried-over work of the period's days (S1.D2): the owner, or the owning department."""
    qs = CarryOver.objects.filter(_days_between("day", scope), store_id__in=scope.store_ids)
    if scope.department_id:
        qs = qs.filter(owner_department_id=scope.department_id)
    if scope.person_id:
        qs = qs.filter(owner_id=scope.person_id)
    return qs


def complaints_in_scope(scope: FigureScope) -> QuerySet:
    """Complaints logged in the period naming the person (or one of the department's people) as involved."""
    qs = Complaint.objects.filter(
        _between("logged_at", scope), store_id__in=scope.store_ids, staff_involved__isnull=False
    )
    if scope.department_id:
        qs = qs.filter(staff_involved__department_id=scope.department_id)
    if scope.person_id:
        qs = qs.filter(staff_involved_id=scope.person_id)
    return qs


# --- the figures: (kind of record, its queryset, its condition) ---------------------------------------


def figure_conditions(scope: FigureScope) -> dict[str, tuple[str, Q]]:
    """Each figure's kind of record and condition on its scoped queryset (SOURCES)."""
    return {
        "grooming_checked": (SUBJECT, Q(round__purpose=Purpose.GROOMING)),
        "grooming_passed": (SUBJECT, Q(round__purpose=Purpose.GROOMING, failed_count=0)),
        "desk_checked": (SUBJECT, Q(round__purpose=Purpose.DESK)),
        "desk_passed": (SUBJECT, Q(round__purpose=Purpose.DESK, failed_count=0)),
        "items_checked": (RESULT, Q()),
        "items_passed": (RESULT, Q(passed=True)),
        "checks_due": (
            ROUND,
            Q(state__in=[RoundState.DONE, RoundState.MISSED]) | Q(state=RoundState.OPEN, due_at__lt=scope.now),
        ),
        "checks_on_time": (ROUND, Q(state=RoundState.DONE, on_time=True)),
        "corrections_due": (PROMISE, PROMISE_CLOSED | promise_overdue_now(scope.now)),
        "corrections_kept": (PROMISE, Q(state=PromiseState.KEPT)),
        "discipline": (RECORD, Q(state__in=DISCIPLINE_COUNTED)),
        "discipline_withdrawn": (RECORD, Q(state=DisciplineState.WITHDRAWN)),
        # the import applied the store's grace when it read the day (and made the drafts from the same minutes)
        "late": (ATTENDANCE, Q(late_minutes__gt=0)),
        "early": (ATTENDANCE, Q(early_minutes__gt=0)),
        "missing_punch": (ATTENDANCE, Q(missing_punch=True)),
        "carry_overs": (CARRY, Q()),
        "complaints": (COMPLAINT, Q()),
    }


SOURCES = {
    SUBJECT: subjects_in_scope,
    RESULT: results_in_scope,
    ROUND: rounds_in_scope,
    PROMISE: corrections_in_scope,
    RECORD: discipline_in_scope,
    ATTENDANCE: attendance_in_scope,
    CARRY: carry_overs_in_scope,
    COMPLAINT: complaints_in_scope,
}

FIGURE_LABELS = {
    "grooming_checked": _("People checked in grooming checks"),
    "grooming_passed": _("Grooming checks passed"),
    "desk_checked": _("People checked in desk checks"),
    "desk_passed": _("Desk checks passed"),
    "items_checked": _("Grooming items checked"),
    "items_passed": _("Grooming items passed"),
    "checks_due": _("Grooming and desk checks due"),
    "checks_on_time": _("Grooming and desk checks done on time"),
    "corrections_due": _("Grooming corrections due"),
    "corrections_kept": _("Grooming corrections confirmed on time"),
    "discipline": _("Discipline records"),
    "discipline_withdrawn": _("Withdrawn discipline records"),
    "late": _("Late arrivals"),
    "early": _("Early leaves"),
    "missing_punch": _("Missing clock-in or clock-out"),
    "carry_overs": _("Carried-over work"),
    "complaints": _("Complaints naming the person"),
}
RULES = {
    "grooming_checked": "S6.1–S6.4",
    "grooming_passed": "S6.1–S6.4",
    "items_checked": "S6.1–S6.4",
    "items_passed": "S6.1–S6.4",
    "desk_checked": "S1.D3",
    "desk_passed": "S1.D3",
    "checks_due": "S6.1, S1.D3",
    "checks_on_time": "S6.1, S1.D3",
    "corrections_due": "S6.1",
    "corrections_kept": "S6.1",
    "discipline": "S1.D1a–S1.D4",
    "discipline_withdrawn": "S1.D1a–S1.D4",
    "late": "S1.D1a",
    "early": "S1.D1a",
    "missing_punch": "S1.D1a",
    "carry_overs": "S1.D2",
    "complaints": "S2.6",
}
RECORD_KINDS = {
    **dict.fromkeys(("grooming_checked", "grooming_passed", "desk_checked", "desk_passed"), SUBJECT),
    **dict.fromkeys(("items_checked", "items_passed"), RESULT),
    **dict.fromkeys(("checks_due", "checks_on_time"), ROUND),
    **dict.fromkeys(("corrections_due", "corrections_kept"), PROMISE),
    **dict.fromkeys(("discipline", "discipline_withdrawn"), RECORD),
    **dict.fromkeys(("late", "early", "missing_punch"), ATTENDANCE),
    "carry_overs": CARRY,
    "complaints": COMPLAINT,
}

# Each kind's grouping field by store, department and person.
GROUPS = {
    SUBJECT: {"store": F("store_id"), "department": F("person__department_id"), "person": F("person_id")},
    RESULT: {"store": F("store_id"), "department": F("subject__department_id"), "person": F("subject_id")},
    ROUND: {"store": F("store_id"), "department": F("area__department_id"), "person": F("submitted_by_id")},
    PROMISE: {
        "store": F("store_id"),
        "department": Coalesce("owner_department_id", "owner__department_id"),
        "person": F("owner_id"),
    },
    RECORD: {"store": F("store_id"), "department": F("person__department_id"), "person": F("person_id")},
    ATTENDANCE: {"store": F("store_id"), "department": F("person__department_id"), "person": F("person_id")},
    CARRY: {"store": F("store_id"), "department": F("owner_department_id"), "person": F("owner_id")},
    COMPLAINT: {
        "store": F("store_id"),
        "department": F("staff_involved__department_id"),
        "person": F("staff_involved_id"),
    },
}

# The figures of the people page's tables (complaints are the person page's only: the complaints figures
# page counts them by department).
TABLE_FIGURES = tuple(key for key in FIGURE_LABELS if key != "complaints")


def only_people(qs: QuerySet, kind: str, only: frozenset[int] | None) -> QuerySet:
    """The records of the people the user may see (`visible_people_ids`; None: everyone behind the wall). The
    checks themselves (rounds) are the store's work, not a person's record: never narrowed; a desk's promises
    and their carry-overs count for the people of its department."""
    if only is None or kind == ROUND:
        return qs
    mine = Q(whose__in=only)
    if kind in (PROMISE, CARRY):  # a desk's promise is the work of its department's people
        departments = User.objects.filter(pk__in=only, department__isnull=False).values("department_id")
        mine |= Q(owner__isnull=True, owner_department_id__in=departments)
    return qs.alias(whose=GROUPS[kind]["person"]).filter(mine)


def _counts(scope: FigureScope, keys, group: str | None = None, only: frozenset[int] | None = None) -> dict:
    """{group value: {figure: count}} of the figures, one aggregate query per kind of record."""
    conditions = figure_conditions(scope)
    by_kind: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        by_kind[conditions[key][0]].append(key)
    found: dict = defaultdict(lambda: dict.fromkeys(keys, 0))
    for kind, kind_keys in by_kind.items():
        qs = only_people(SOURCES[kind](scope), kind, only).order_by()
        aggregates = {key: Count("pk", filter=conditions[key][1]) for key in kind_keys}
        if group is None:
            found[None].update(qs.aggregate(**aggregates))
            continue
        for row in qs.annotate(group=GROUPS[kind][group]).values("group").annotate(**aggregates):
            found[row["group"]].update({key: row[key] for key in kind_keys})
    return found


def _with_shares(row: dict) -> dict:
    row["grooming_share"] = share(row.get("grooming_passed", 0), row.get("grooming_checked", 0))
    row["desk_share"] = share(row.get("desk_passed", 0), row.get("desk_checked", 0))
    row["items_share"] = share(row.get("items_passed", 0), row.get("items_checked", 0))
    row["checks_share"] = share(row.get("checks_on_time", 0), row.get("checks_due", 0))
    row["corrections_share"] = share(row.get("corrections_kept", 0), row.get("corrections_due", 0))
    return row


def people_figures(scope: FigureScope, *, only: frozenset[int] | None = None) -> dict:
    """Every people figure of the scope (of the people in `only`, when given), with the pass and on-time
    shares (eight queries)."""
    return _with_shares(dict(_counts(scope, tuple(FIGURE_LABELS), only=only)[None]))


def breakdown(scope: FigureScope, group: str, names: dict, *, only: frozenset[int] | None = None) -> list[dict]:
    """One row per store, department or person with any record, each named (`names`: id → name); `only`
    limits the rows to the records of the people the user may see. Records of nobody (a missed check no one
    did, a person of no department) count in the totals only."""
    rows = []
    for group_id, counts in _counts(scope, TABLE_FIGURES, group, only).items():
        if (
            group_id is None
            or not any(counts.values())
            or (group == "person" and only is not None and group_id not in only)
        ):
            continue
        row = _with_shares(dict(counts))
        row.update({"id": group_id, "name": names.get(group_id, "")})
        rows.append(row)
    return sorted(rows, key=lambda r: (str(r["name"]), r["id"]))


def grooming_by_item(scope: FigureScope, *, only: frozenset[int] | None = None) -> list[dict]:
    """S6.1–S6.4: the grooming items checked and passed, by the item's wording and rule (one query)."""
    rows = (
        only_people(results_in_scope(scope), RESULT, only)
        .order_by()
        .values("text", "rule_id")
        .annotate(checked=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
        .order_by("rule_id", "text")
    )
    return [row | {"share": share(row["passed"], row["checked"])} for row in rows]


def discipline_by_rule_and_month(scope: FigureScope, *, only: frozenset[int] | None = None) -> dict:
    """S1.D1a–c, S1.D3, S1.D4: counted discipline records per rule and calendar month of the period (one query)."""
    tz = timezone.get_default_timezone()
    rows = (
        only_people(discipline_in_scope(scope), RECORD, only)
        .filter(state__in=DISCIPLINE_COUNTED)
        .order_by()
        .annotate(month=TruncMonth("occurred_at", tzinfo=tz))
        .values("rule_id", "month")
        .annotate(n=Count("pk"))
    )
    months = sorted({day.replace(day=1) for day in scope.period.days})
    table: dict[str, dict[date, int]] = defaultdict(lambda: dict.fromkeys(months, 0))
    for row in rows:
        month = row["month"]
        month = month.date() if hasattr(month, "date") else month
        table[row["rule_id"]][month] = table[row["rule_id"]].get(month, 0) + row["n"]
    return {
        "months": months,
        "rows": [
            {"rule_id": rule, "counts": [(m, cells[m]) for m in months], "total": sum(cells.values())}
            for rule, cells in sorted(table.items())
        ],
    }


def discipline_by_kind_and_state(scope: FigureScope) -> list[dict]:
    """The person page's records by kind and state: counted ones and withdrawn ones (one query)."""
    shown = [*DISCIPLINE_COUNTED, DisciplineState.WITHDRAWN]
    rows = (
        discipline_in_scope(scope)
        .filter(state__in=shown)
        .order_by()
        .values("kind", "state")
        .annotate(n=Count("pk"))
        .order_by("kind", "state")
    )
    return [
        row | {"kind_label": DisciplineKind(row["kind"]).label, "state_label": DisciplineState(row["state"]).label}
        for row in rows
    ]


# --- the records behind a figure ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordFilters:
    """The narrowing a table's cell adds: a discipline record's kind, state or rule, a grooming item's text."""

    kind: str = ""
    state: str = ""
    rule: str = ""
    item: str = ""


def records(scope: FigureScope, key: str, narrow: RecordFilters = RecordFilters()) -> QuerySet:
    """The records one figure counts, newest first (KeyError for an unknown figure)."""
    record_kind, condition = figure_conditions(scope)[key]
    qs = SOURCES[record_kind](scope).filter(condition)
    if record_kind == RECORD:
        if narrow.kind:
            qs = qs.filter(kind=narrow.kind)
        if narrow.state:
            qs = qs.filter(state=narrow.state)
        if narrow.rule:
            qs = qs.filter(rule_id=narrow.rule)
        return qs.select_related("store", "person").order_by("-occurred_at", "-id")
    if record_kind == RESULT:
        if narrow.item:
            qs = qs.filter(text=narrow.item)
        return qs.select_related("store", "subject", "round").order_by("-round__submitted_at", "-id")
    if record_kind == SUBJECT:
        return qs.select_related("store", "person", "round").order_by("-checked_at", "-id")
    if record_kind == ROUND:
        return qs.select_related("store", "area", "submitted_by").order_by("-due_at", "-id")
    if record_kind == PROMISE:
        return qs.select_related("store", "owner", "owner_department").order_by("due_at", "id")
    if record_kind == ATTENDANCE:
        return qs.select_related("store", "person").order_by("-date", "-id")
    if record_kind == CARRY:
        return qs.select_related("store", "promise", "owner", "owner_department").order_by("-day", "-id")
    return qs.select_related("store", "staff_involved", "department").order_by("-logged_at", "-id")
