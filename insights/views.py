from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.utils import timezone
from django.utils.http import urlencode

from core.htmx import render_page
from org.access import Right, require, role_of, stores_for
from org.choices import Role
from org.models import Department, User
from promises.services import promise_kind_label

from . import selectors
from .forms import TelephoneFilterForm

PAGE_SIZE = 50
FILTER_FIELDS = ("store", "period", "date", "department", "person")


def _filters(request):
    """The filter form bound to the request (with defaults) and the scope it selects, behind the wall.

    A store, department or person outside the person's stores is a 404. Staff see their own
    figures unless they ask for everyone (the store totals); they cannot pick a colleague.
    """
    user = request.user
    require(user, Right.VIEW)
    stores = list(stores_for(user))
    wall = frozenset(s.pk for s in stores)
    departments = list(
        Department.objects.filter(store_id__in=wall).select_related("store").order_by("store__code", "name")
    )
    is_staff = role_of(user) == Role.STAFF
    people_qs = User.objects.filter(pk=user.pk) if is_staff else User.objects.filter(store_id__in=wall, is_active=True)
    people = list(people_qs.order_by("name", "pk"))
    data = {
        "period": request.GET.get("period") or selectors.WEEK,
        "date": request.GET.get("date") or timezone.localdate().isoformat(),
        "store": request.GET.get("store", ""),
        "department": request.GET.get("department", ""),
        "person": request.GET.get("person", str(user.pk) if is_staff else ""),
    }
    form = TelephoneFilterForm(data, stores=stores, departments=departments, people=people)
    form.is_valid()
    if any(name in form.errors for name in ("store", "department", "person")):
        raise Http404
    cleaned = form.cleaned_data
    store_id = cleaned.get("store")
    period = selectors.period_containing(
        cleaned.get("period") or selectors.WEEK, cleaned.get("date") or timezone.localdate()
    )
    scope = selectors.FigureScope(
        store_ids=frozenset({store_id}) if store_id else wall,
        period=period,
        department_id=cleaned.get("department"),
        person_id=cleaned.get("person"),
    )
    query = {name: data[name] for name in FILTER_FIELDS if data[name]}
    query.update({"period": period.kind, "date": period.first.isoformat()})
    if is_staff and not data["person"]:
        query["person"] = ""
    return form, scope, query, {p.pk: p.name or p.username for p in people}, {d.pk: d.name for d in departments}


@login_required
def telephone(request):
    """Telephone figures (S2.1, S2.3, S2.10, S1.4) with charts; complaint figures when the complaints app provides them."""
    form, scope, query, person_names, department_names = _filters(request)
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
        "complaint_figures": selectors.complaint_figures(scope),
        "labels": selectors.FIGURE_LABELS,
    }
    context["chart_data"] = {
        "series": context["series"],
        "labels": {key: str(label) for key, label in selectors.SERIES_LABELS.items()},
    }
    return render_page(request, "insights/telephone.html", "insights/partials/telephone_body.html", context)


@login_required
def telephone_records(request):
    """The records behind one figure, paged, with the same filters as the page."""
    form, scope, query, _people, _departments = _filters(request)
    key = request.GET.get("figure", "")
    if key not in selectors.RECORD_KINDS:
        raise Http404
    kind = request.GET.get("kind") or None
    qs = selectors.records(scope, key, kind=kind if key in ("promises_due", "promises_kept") else None)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
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
