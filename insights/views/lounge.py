"""The lounge figures page (S4.1–S4.11) and the records behind each figure, with the telephone page's filters."""

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.db import figures_reads
from core.htmx import render_page
from core.pagination import list_page
from lounge.choices import RequestKind
from org.access import role_of
from org.choices import Role

from ..figures import lounge as selectors
from .scope import PAGE_SIZE, figure_filters


def _lounge_filters(request):
    """The telephone page's filters behind the same wall, without the department; the person is the attendant."""
    form, scope, query, person_names, _departments = figure_filters(request)
    form.fields.pop("department", None)
    form["person"].label = _("Attendant")  # the bound field was made when the form was validated
    query.pop("department", None)
    return form, replace(scope, department_id=None), query, person_names


def detail_url(name: str, **kwargs) -> str:
    """The URL of a record's own page, or '' while that page does not exist (yet)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _for_listing(record_kind: str, records) -> list:
    """The page's records, each with `detail_url` (its own page, or its visit's; '' while none exists),
    a request with its response time in minutes and a fault with its time to fix in hours."""
    listed = list(records)
    for record in listed:
        if record_kind == selectors.VISIT:
            record.detail_url = detail_url("lounge:visit_detail", visit_pk=record.pk)
        elif record_kind in (selectors.SERVING, selectors.REQUEST):
            record.detail_url = detail_url("lounge:visit_detail", visit_pk=record.visit_id) if record.visit_id else ""
        elif record_kind == selectors.ROUND:
            record.detail_url = detail_url("checks:round_detail", round_pk=record.pk)
        elif record_kind == selectors.RESULT:
            record.detail_url = detail_url("checks:round_detail", round_pk=record.round_id)
        elif record_kind == selectors.FAULT:
            record.detail_url = detail_url("lounge:fault_detail", fault_pk=record.pk)
        else:
            record.detail_url = detail_url("promises:promise_detail", promise_pk=record.pk)
        if record_kind == selectors.REQUEST:
            waited = record.acknowledged_at - record.created_at if record.acknowledged_at else None
            record.response_minutes = selectors.minutes(waited)
        if record_kind == selectors.FAULT:
            record.fix_hours = selectors.hours(record.fixed_at - record.reported_at if record.fixed_at else None)
    return listed


@login_required
@figures_reads()
def lounge(request):
    """Lounge figures per store, attendant and day/week/month (S4.1–S4.11), with charts; each opens to its records."""
    form, scope, query, person_names = _lounge_filters(request)
    limits = selectors.store_limits(scope.store_ids)
    samples = selectors.greet_samples(scope)
    people = selectors.per_person(scope, person_names, limits=limits, samples=samples)
    if role_of(request.user) == Role.STAFF:
        people = [row for row in people if row["id"] == request.user.pk]
    series = selectors.daily_series(scope, samples=samples)
    context = {
        "form": form,
        "scope": scope,
        "query": urlencode(query),
        "figures": selectors.lounge_figures(scope, limits=limits, samples=samples),
        "series": series,
        "people": people,
        "chart_data": {
            "series": series,
            "labels": {key: str(label) for key, label in selectors.SERIES_LABELS.items()},
        },
    }
    return render_page(request, "insights/lounge.html", "insights/partials/lounge_body.html", context)


@login_required
@figures_reads()
def lounge_records(request):
    """The records behind one lounge figure, paged, with the same filters as the page."""
    form, scope, query, _people = _lounge_filters(request)
    key = request.GET.get("figure", "")
    if key not in selectors.RECORD_KINDS:
        raise Http404
    record_kind = selectors.RECORD_KINDS[key]
    kind = request.GET.get("kind") or None
    if kind and (record_kind != selectors.REQUEST or kind not in RequestKind.values):
        raise Http404
    page = list_page(request, selectors.records(scope, key, kind=kind), PAGE_SIZE)
    page.object_list = _for_listing(record_kind, page.object_list)
    context = {
        "form": form,
        "scope": scope,
        "figure": key,
        "kind": kind,
        "kind_label": RequestKind(kind).label if kind else "",
        "label": selectors.FIGURE_LABELS[key],
        "record_kind": record_kind,
        "page": page,
        "query": urlencode(query),
    }
    return render_page(request, "insights/lounge_records.html", "insights/partials/lounge_records_rows.html", context)
