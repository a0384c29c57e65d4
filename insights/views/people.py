"""The people figures page (S6.1–S6.4, S1.D1a–S1.D4, S1.D2), the records behind each figure, and the person page a
supervisor opens before a review."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils import timezone
from django.utils.http import urlencode

from conduct.choices import DisciplineKind, DisciplineState
from core.db import figures_reads
from core.htmx import render_page
from core.pagination import list_page
from org.choices import DepartmentKind

from ..figures import base
from ..figures import lounge as lounge_figures
from ..figures import people as selectors
from ..figures import telephone as telephone_figures
from ..forms import TelephoneFilterForm
from .scope import PAGE_SIZE, figure_filters


def _people_filters(request):
    """The figures pages' filters; a person the user may not look at (a supervisor's colleague of another
    department) is a 404, as on the person page."""
    form, scope, query, person_names, department_names = figure_filters(request)
    visible = selectors.visible_people_ids(request.user)
    if scope.person_id and visible is not None and scope.person_id not in visible:
        raise Http404
    return form, scope, query, person_names, department_names, visible


@login_required
@figures_reads()
def people(request):
    """People figures by store, department and person: grooming, checks on time, corrections, discipline,
    attendance and carried-over work; each figure opens to its records. A group's stores each get a row.
    A supervisor's figures are those of the people they may look at (their departments' and their own), a staff
    member's their own: the same people whose records the records view lists."""
    form, scope, query, person_names, department_names, visible = _people_filters(request)
    store_names = {pk: label for pk, label in form.fields["store"].choices if pk}
    several = len(store_names) > 1  # a group's user: a row per store, and rows that name their store
    if several:
        department_names = {pk: label for pk, label in form.fields["department"].choices if pk}
        person_names = selectors.names_with_store(scope.store_ids)
    context = {
        "form": form,
        "scope": scope,
        "query": urlencode(query),
        "figures": selectors.people_figures(scope, only=visible),
        "stores": selectors.breakdown(scope, "store", store_names, only=visible) if several else [],
        "departments": selectors.breakdown(scope, "department", department_names, only=visible),
        "people": selectors.breakdown(scope, "person", person_names, only=visible),
        "items": selectors.grooming_by_item(scope, only=visible),
        "discipline": selectors.discipline_by_rule_and_month(scope, only=visible),
    }
    return render_page(request, "insights/people.html", "insights/partials/people_body.html", context)


def _narrowing(request, record_kind: str) -> selectors.RecordFilters:
    """A cell's narrowing, checked: an unknown kind, state or rule is a 404 (a link no page makes)."""
    kind, state, rule = (request.GET.get(name, "") for name in ("kind", "state", "rule"))
    item = request.GET.get("item", "")[:200]
    if record_kind != selectors.RECORD and (kind or state or rule):
        raise Http404
    if record_kind != selectors.RESULT and item:
        raise Http404
    if (kind and kind not in DisciplineKind.values) or (state and state not in DisciplineState.values):
        raise Http404
    if rule and len(rule) > 10:
        raise Http404
    return selectors.RecordFilters(kind=kind, state=state, rule=rule, item=item)


@login_required
@figures_reads()
def people_records(request):
    """The records behind one people figure, paged, with the same filters as the page; a supervisor sees only
    the records of the people they may look at."""
    form, scope, query, _people, _departments, visible = _people_filters(request)
    key = request.GET.get("figure", "")
    if key not in selectors.RECORD_KINDS:
        raise Http404
    record_kind = selectors.RECORD_KINDS[key]
    narrow = _narrowing(request, record_kind)
    qs = selectors.only_people(selectors.records(scope, key, narrow), record_kind, visible)
    page = list_page(request, qs, PAGE_SIZE)
    context = {
        "form": form,
        "scope": scope,
        "figure": key,
        "label": selectors.FIGURE_LABELS[key],
        "rule_id": selectors.RULES[key],
        "record_kind": record_kind,
        "narrow": narrow,
        "narrow_query": urlencode({k: v for k, v in vars(narrow).items() if v}),
        "narrow_labels": [
            str(label)
            for label in (
                DisciplineKind(narrow.kind).label if narrow.kind else "",
                DisciplineState(narrow.state).label if narrow.state else "",
                narrow.rule,
                narrow.item,
            )
            if label
        ],
        "page": page,
        "query": urlencode(query),
    }
    return render_page(request, "insights/people_records.html", "insights/partials/people_records_rows.html", context)


def _period_form(request, person):
    """The person page's period and date (a month by default); a bad date shows its error and the default."""
    data = {
        "period": request.GET.get("period") or base.MONTH,
        "date": request.GET.get("date") or timezone.localdate().isoformat(),
    }
    form = TelephoneFilterForm(data, stores=[person.store], departments=[], people=[person])
    for name in ("store", "department", "person"):
        form.fields.pop(name)
    form.is_valid()
    cleaned = form.cleaned_data
    period = base.period_containing(cleaned.get("period") or base.MONTH, cleaned.get("date") or timezone.localdate())
    return form, period


@login_required
@figures_reads()
def person(request, person_pk):
    """One person's figures over a period, each linked to its records: grooming (S6.1–S6.4) and desk checks (S1.D3),
    discipline records (S1.D1a–S1.D4), attendance (S1.D1a), promises kept on time (S1.4), calls answered within
    3 rings (S2.1) and lounge figures where they apply, complaints naming them, carried-over work (S1.D2)."""
    shown = selectors.person_get_for_user(request.user, person_pk)
    form, period = _period_form(request, shown)
    scope = base.FigureScope(store_ids=frozenset({shown.store_id}), period=period, person_id=shown.pk)
    query = {"store": shown.store_id, "person": shown.pk, "period": period.kind, "date": period.first.isoformat()}
    telephone = telephone_figures.telephone_figures(scope)
    lounge = lounge_figures.lounge_figures(scope)
    in_lounge = getattr(shown.department, "kind", "") in (DepartmentKind.LOUNGE, DepartmentKind.LEISURE)
    takes_calls = getattr(shown.department, "kind", "") == DepartmentKind.CUSTOMER_SERVICE
    context = {
        "shown": shown,
        "form": form,
        "scope": scope,
        "query": urlencode(query),
        "figures": selectors.people_figures(scope),
        "items": selectors.grooming_by_item(scope),
        "discipline": selectors.discipline_by_kind_and_state(scope),
        "telephone": telephone,
        "show_calls": takes_calls or telephone["calls"] > 0,
        "lounge": lounge,
        "show_lounge": in_lounge or any(lounge[key] for key in ("visits", "refills", "requests", "rounds_done")),
    }
    return render_page(request, "insights/person.html", "insights/partials/person_body.html", context)
