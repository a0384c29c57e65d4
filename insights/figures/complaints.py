"""Complaint figures for the telephone-and-complaints page (insights), computed from the records.

One aggregate query, whatever the number of
complaints: counts and sums per department, from which the figures and the breakdown by department and
severity are added up. Every figure links to the
complaint list filtered to exactly the complaints it counts: the same period, stores, department and
person, with the same conditions (complaints.selectors.complaints_matching, STAGE_REACHED).
"""

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from complaints.choices import Severity
from complaints.models import Complaint
from complaints.selectors import SEVERE, STAGE_REACHED, complaints_matching

from .base import Figure, FigureScope, FigureTable


def _percent(part, whole):
    return f"{100 * part / whole:.1f}%" if whole else "—"


def _scope_filters(scope) -> dict:
    """The complaint list's filters selecting the scope: the period, and the store, department and person set."""
    filters = {"logged_from": scope.period.first, "logged_to": scope.period.last}
    if len(scope.store_ids) == 1:
        filters["store"] = next(iter(scope.store_ids))
    if scope.department_id:
        filters["department"] = scope.department_id
    if scope.person_id:
        filters["staff"] = scope.person_id
    return filters


def complaints_in_scope(scope):
    """Complaints of the scope's stores logged in its period, about its department and its person (staff involved)."""
    filters = _scope_filters(scope)
    filters.pop("store", None)
    return complaints_matching(Complaint.objects.filter(store_id__in=scope.store_ids), **filters)


def list_url(scope, **filters) -> str:
    """The complaint list showing the scope's complaints that also match `filters` (department, severity, stage)."""
    params = _scope_filters(scope) | filters
    params["logged_from"] = params["logged_from"].isoformat()
    params["logged_to"] = params["logged_to"].isoformat()
    return reverse("complaints:complaint_list") + "?" + urlencode(params, doseq=True)


def _per_department(scope) -> list[dict]:
    """One row per department: complaints by severity, and the counts and sums behind the averages."""
    return list(
        complaints_in_scope(scope)
        .values("department_id", "department__name", "department__store__code")
        .annotate(
            **{f"n_{s.value}": Count("id", filter=Q(severity=s)) for s in Severity},
            n_total=Count("id"),
            n_acknowledged=Count("id", filter=STAGE_REACHED["acknowledged"]),
            ack_sum=Sum("ack_minutes"),
            n_replied=Count("id", filter=STAGE_REACHED["replied"]),
            n_on_time=Count("id", filter=Q(reply_on_time=True)),
            n_rated=Count("id", filter=STAGE_REACHED["rated"]),
            satisfaction_sum=Sum("satisfaction_score"),
        )
        .order_by("department__store__code", "department__name", "department_id")
    )


def complaint_figures(scope: FigureScope) -> list[Figure | FigureTable]:
    """Complaints logged in the period: count, severe, minutes to acknowledge, replies on time, satisfaction, breakdown."""
    rows = _per_department(scope)

    def total(key):
        return sum(row[key] or 0 for row in rows)

    count, acknowledged, replied, on_time, rated = (
        total(key) for key in ("n_total", "n_acknowledged", "n_replied", "n_on_time", "n_rated")
    )
    severe = sum(total(f"n_{s.value}") for s in SEVERE)
    return [
        Figure("complaints", _("Complaints logged"), count, "S2.4", list_url(scope)),
        Figure("complaints_severe", _("High or critical"), severe, "S2.6", list_url(scope, severity=list(SEVERE))),
        Figure(
            "complaints_ack",
            _("Average minutes to acknowledge"),
            f"{total('ack_sum') / acknowledged:.0f}" if acknowledged else "—",
            "S2.6",
            list_url(scope, stage="acknowledged"),
        ),
        Figure(
            "complaints_reply_on_time",
            _("Replies within the promised time"),
            f"{_percent(on_time, replied)} ({on_time}/{replied})",
            "S2.6",
            list_url(scope, stage="replied"),
        ),
        Figure(
            "complaints_satisfaction",
            _("Average satisfaction (1–5)"),
            f"{total('satisfaction_sum') / rated:.1f}" if rated else "—",
            "S2.6",
            list_url(scope, stage="rated"),
        ),
        _severity_breakdown(scope, rows),
    ]


def _severity_breakdown(scope, found: list[dict]):
    """Complaints by department (rows) and severity (columns), each count linked to its complaints; with totals."""
    several_stores = len(scope.store_ids) > 1
    rows = []
    for row in found:
        department = row["department_id"]
        cells = [(row[f"n_{s.value}"], list_url(scope, department=department, severity=s.value)) for s in Severity]
        cells.append((row["n_total"], list_url(scope, department=department)))
        name = row["department__name"]
        rows.append((f"{row['department__store__code']} {name}" if several_stores else name, tuple(cells)))
    totals = [(sum(row[f"n_{s.value}"] for row in found), list_url(scope, severity=s.value)) for s in Severity]
    totals.append((sum(row["n_total"] for row in found), list_url(scope)))
    return FigureTable(
        key="complaints_by_department_severity",
        label=_("Complaints by department and severity"),
        columns=(_("Department"), *(s.label for s in Severity), _("Total")),
        rows=tuple(rows),
        total=(_("All departments"), tuple(totals)),
        rule_id="S2.6",
    )
