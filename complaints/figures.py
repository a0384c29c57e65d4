"""Complaint figures for the telephone-and-complaints page (insights), computed from the records.

Registered with insights.selectors.register_complaint_figures in ComplaintsConfig.ready. One
aggregate query, whatever the number of complaints.
"""

from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from .choices import Severity
from .models import Complaint


def _percent(part, whole):
    return f"{100 * part / whole:.1f}%" if whole else "—"


def complaint_figures(scope) -> list:
    """Complaints logged in the period: count, severe ones, time to acknowledge, replies on time, satisfaction."""
    from insights.selectors import Figure

    qs = Complaint.objects.filter(
        store_id__in=scope.store_ids, logged_at__gte=scope.period.start, logged_at__lt=scope.period.end
    )
    if scope.department_id:
        qs = qs.filter(department_id=scope.department_id)
    if scope.person_id:
        qs = qs.filter(staff_involved_id=scope.person_id)
    totals = qs.aggregate(
        count=Count("id"),
        severe=Count("id", filter=Q(severity__in=[Severity.HIGH, Severity.CRITICAL])),
        ack=Avg("ack_minutes"),
        replied=Count("id", filter=Q(reply_on_time__isnull=False)),
        on_time=Count("id", filter=Q(reply_on_time=True)),
        satisfaction=Avg("satisfaction_score"),
    )
    url = reverse("complaints:complaint_list")
    if scope.department_id:
        url += f"?department={scope.department_id}"
    return [
        Figure("complaints", _("Complaints logged"), totals["count"], "S2.4", url),
        Figure("complaints_severe", _("High or critical"), totals["severe"], "S2.6", url),
        Figure(
            "complaints_ack",
            _("Average minutes to acknowledge"),
            f"{totals['ack']:.0f}" if totals["ack"] is not None else "—",
            "S2.6",
            url,
        ),
        Figure(
            "complaints_reply_on_time",
            _("Replies within the promised time"),
            f"{_percent(totals['on_time'], totals['replied'])} ({totals['on_time']}/{totals['replied']})",
            "S2.6",
            url,
        ),
        Figure(
            "complaints_satisfaction",
            _("Average satisfaction (1–5)"),
            f"{totals['satisfaction']:.1f}" if totals["satisfaction"] is not None else "—",
            "S2.6",
            url,
        ),
    ]
