"""The telephone-and-complaints figures page (S2.1, S2.3, S2.10, S1.4, S2.4–S2.8) and the records behind each figure."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils.http import urlencode

from core.db import figures_reads
from core.htmx import render_page
from core.pagination import list_page
from org.access import role_of
from org.choices import Role
from promises.selectors import promise_kind_label

from ..figures import complaints
from ..figures import telephone as selectors
from .scope import PAGE_SIZE, figure_filters


@login_required
@figures_reads()
def telephone(request):
    """Telephone figures (S2.1, S2.3, S2.10, S1.4) with charts; complaint figures when the complaints app provides them."""
    form, scope, query, person_names, department_names = figure_filters(request)
    people = selectors.per_person(scope, person_names)
    if role_of(request.user) == Role.STAFF:
        people = [row for row in people if row["id"] == request.user.pk]
    context = {
        "form": form,
        "scope": scope,
        "query": urlencode(query),
        "figures": selectors.telephone_figures(scope),
        "series": selectors.daily_series(scope),
        "people": people,
        "departments": selectors.per_department(scope, department_names),
        "complaint_figures": complaints.complaint_figures(scope),
        "labels": selectors.FIGURE_LABELS,
    }
    context["chart_data"] = {
        "series": context["series"],
        "labels": {key: str(label) for key, label in selectors.SERIES_LABELS.items()},
    }
    return render_page(request, "insights/telephone.html", "insights/partials/telephone_body.html", context)


@login_required
@figures_reads()
def telephone_records(request):
    """The records behind one figure, paged, with the same filters as the page."""
    form, scope, query, _people, _departments = figure_filters(request)
    key = request.GET.get("figure", "")
    if key not in selectors.RECORD_KINDS:
        raise Http404
    kind = request.GET.get("kind") or None
    qs = selectors.records(scope, key, kind=kind if key in ("promises_due", "promises_kept") else None)
    page = list_page(request, qs, PAGE_SIZE)
    context = {
        "form": form,
        "scope": scope,
        "figure": key,
        "kind": kind,
        "kind_label": promise_kind_label(kind) if kind else "",
        "label": selectors.FIGURE_LABELS[key],
        "record_kind": selectors.RECORD_KINDS[key],
        "page": page,
        "query": urlencode(query),
    }
    return render_page(request, "insights/records.html", "insights/partials/records_rows.html", context)
