"""The roster pages (S1.D1a: who works which shift on which day): a store's shifts, the monthly grid with
its cells set by htmx, the import from Excel or CSV and the export to Excel.

The wall: another store is a 404; editing needs org.selectors.roster_may_edit (the department's
supervisor, the store's managers), else 403. Staff see their own department's roster, auditors all.
"""

import io
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from core.audit import history_for
from core.exports import sheet_append
from core.forms import add_service_errors, form_status
from core.htmx import is_htmx
from core.validators import parse_id

from .. import selectors
from ..access import (
    Right,
    has_right,
    require,
    role_of,
    store_for_page,
    store_ids,
    stores_for,
    supervised_department_ids,
)
from ..choices import Role, RosterKind
from ..forms import RosterCellForm, RosterFillForm, RosterFilterForm, RosterImportForm, ShiftForm
from ..models import Department, Store, User
from ..services import roster as services
from ..services.roster import parse_month

# A day's column shows its weekday in one character (一 … 日), as paper rosters do
WEEKDAYS = (
    pgettext_lazy("weekday, short", "Mo"),
    pgettext_lazy("weekday, short", "Tu"),
    pgettext_lazy("weekday, short", "We"),
    pgettext_lazy("weekday, short", "Th"),
    pgettext_lazy("weekday, short", "Fr"),
    pgettext_lazy("weekday, short", "Sa"),
    pgettext_lazy("weekday, short", "Su"),
)


# Shifts


@login_required
def shift_list(request):
    store = store_for_page(request.user, request.GET.get("store"))
    return render(
        request,
        "org/roster_shifts.html",
        {
            "store": store,
            "stores": stores_for(request.user),
            "shifts": selectors.store_shifts(store),
            "can_manage": has_right(request.user, Right.MANAGE_STORE, store.pk),
        },
    )


@login_required
def shift_create(request):
    store = store_for_page(request.user, request.GET.get("store"))
    require(request.user, Right.MANAGE_STORE, store.pk)
    form = ShiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            shift = services.shift_create(actor=request.user, store=store, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Shift %(name)s added.") % {"name": shift.name})
            return redirect(f"{reverse('org:shift_list')}?store={store.pk}")
    return render(request, "org/roster_shift_form.html", {"form": form, "store": store}, status=form_status(request))


@login_required
def shift_edit(request, shift_pk):
    shift = selectors.shift_get_for_user(request.user, shift_pk, right=Right.MANAGE_STORE)
    initial = {"name": shift.name, "starts": shift.starts, "ends": shift.ends, "active": shift.active}
    form = ShiftForm(request.POST or None, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_update(actor=request.user, shift=shift, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(f"{reverse('org:shift_list')}?store={shift.store_id}")
    return render(
        request,
        "org/roster_shift_form.html",
        {"form": form, "store": shift.store, "shift": shift, "history": history_for(shift)},
        status=form_status(request),
    )


# The grid


def _grid_scope(request) -> tuple[Store, Department | None, date, RosterFilterForm]:
    """The store (404 outside the wall), department and month the grid shows; staff see only their department."""
    user = request.user
    store = store_for_page(user, request.GET.get("store"))
    form = RosterFilterForm(request.GET or None, user=user, store=store, initial={"store": store})
    department = None
    ref = request.GET.get("department", "").strip()
    if ref:
        department = store.departments.filter(pk=parse_id(ref) or 0).first()
        if department is None:
            raise Http404
    month = timezone.localdate().replace(day=1)
    if form.is_bound and form.is_valid() and form.cleaned_data.get("month"):
        month = form.cleaned_data["month"]
    if role_of(user) == Role.STAFF:
        if department is None and user.department_id and user.store_id == store.pk:
            department = user.department
        if department is None or department.pk != user.department_id:
            raise PermissionDenied
    return store, department, month, form


def _cell(person: User, work, editable: bool) -> dict:
    """What one cell of the grid shows: the shift, 休, 假, the business hours (faint) or closed (grey)."""
    value = ""  # as the import reads it back: a shift's name, 休, 假, or empty for the default
    if work.kind == RosterKind.REST:
        label, css, title = "休", "table-info", _("Rest day")
        value = label
    elif work.kind == RosterKind.LEAVE:
        label, css, title = "假", "table-warning", _("On leave")
        value = label
    elif work.kind == "closed":
        label, css, title = "—", "table-secondary text-secondary", _("The store is closed")
    elif work.shift_name:
        label, css, title = work.shift_name, "fw-semibold", f"{work.start:%H:%M}–{work.end:%H:%M}"
        value = work.shift_name
    else:
        label, css, title = (
            pgettext("roster cell", "Default"),
            "text-body-tertiary",
            f"{work.start:%H:%M}–{work.end:%H:%M}",
        )
    return {
        "value": value,
        "person": person,
        "day": work.date,
        "label": label,
        "css": css,
        "title": title,
        "editable": editable,
        "rostered": work.rostered,
    }


def _grid(user, store: Store, department: Department | None, month: date) -> dict:
    days = services.month_days(month)
    people = list(selectors.roster_people(store, department))
    work = selectors.work_days(store, people, days[0], days[-1])
    rows = []
    for person in people:
        editable = selectors.roster_may_edit(user, store_id=store.pk, department_id=person.department_id)
        rows.append({"person": person, "cells": [_cell(person, work[(person.pk, day)], editable) for day in days]})
    return {
        "days": [{"date": day, "weekday": WEEKDAYS[day.weekday()], "weekend": day.weekday() >= 5} for day in days],
        "rows": rows,
    }


def _month_link(store, department, month: date, name: str = "org:roster") -> str:
    query = f"?store={store.pk}&month={month:%Y-%m}"
    return reverse(name) + query + (f"&department={department.pk}" if department else "")


@login_required
def roster(request):
    """The month's grid: rows the department's active people, columns the days (S1.D1a)."""
    require(request.user, Right.VIEW)
    store, department, month, form = _grid_scope(request)
    previous = (month.replace(day=1) - date.resolution).replace(day=1)
    following = services.month_days(month)[-1] + date.resolution
    grid = _grid(request.user, store, department, month)
    return render(
        request,
        "org/roster.html",
        {
            "store": store,
            "department": department,
            "month": month,
            "form": form,
            "multi_store": len(store_ids(request.user)) > 1,
            "previous_link": _month_link(store, department, previous),
            "next_link": _month_link(store, department, following),
            "export_link": _month_link(store, department, month, name="org:roster_export"),
            "may_import": selectors.roster_may_edit_some(request.user, store_id=store.pk),
            "can_manage_shifts": has_right(request.user, Right.MANAGE_STORE, store.pk),
            **grid,
        },
    )


def _person_day(request, person_pk, day: str) -> tuple[User, date]:
    person = User.objects.filter(pk=parse_id(person_pk) or 0, store_id__in=store_ids(request.user)).first()
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    if person is None:
        raise Http404
    return person, when


@login_required
def roster_cell(request, person_pk, day):
    """One cell: GET the small select (htmx) or a page with it; POST sets the day and answers with the cell."""
    person, when = _person_day(request, person_pk, day)
    store = person.store
    if not selectors.roster_may_edit(request.user, store_id=store.pk, department_id=person.department_id):
        raise PermissionDenied
    shifts = list(selectors.store_shifts(store, active_only=True))
    current = selectors.work_days(store, [person], when, when)[(person.pk, when)]
    initial = services.DEFAULT
    if current.rostered and current.kind != RosterKind.WORK:
        initial = current.kind
    elif current.shift_name:
        initial = next((f"shift:{s.pk}" for s in shifts if s.name == current.shift_name), services.DEFAULT)
    form = RosterCellForm(request.POST or None, shifts=shifts, initial={"value": initial})
    if request.method == "POST" and form.is_valid():
        kind, shift = form.day()
        try:
            services.roster_set(actor=request.user, store=store, person=person, day=when, kind=kind, shift=shift)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not is_htmx(request):
                messages.success(request, _("Saved."))
                return redirect(_month_link(store, None, when))
            work = selectors.work_days(store, [person], when, when)[(person.pk, when)]
            return render(request, "org/partials/roster_cell.html", {"cell": _cell(person, work, True)})
    selected = form.data.get("value") if form.is_bound else initial
    context = {"form": form, "person": person, "day": when, "store": store, "selected": selected}
    if is_htmx(request):
        return render(request, "org/partials/roster_cell_edit.html", context)
    return render(request, "org/roster_cell.html", context, status=form_status(request))


def _rosterable(user, store: Store, department: Department | None):
    """The people of the grid whose days the person may set."""
    people = selectors.roster_people(store, department)
    if role_of(user) in (Role.GROUP_ADMIN, Role.STORE_MANAGER):
        return people
    return people.filter(department_id__in=supervised_department_ids(user))


@login_required
def roster_fill(request):
    """Fill a stretch of days of one person or several from one pattern (weekdays × a shift, rest or leave)."""
    store, department, month, _filter = _grid_scope(request)
    if not selectors.roster_may_edit_some(request.user, store_id=store.pk):
        raise PermissionDenied
    days = services.month_days(month)
    initial = {"first": days[0], "last": days[-1], "weekdays": [0, 1, 2, 3, 4], "value": services.DEFAULT}
    form = RosterFillForm(
        request.POST or None,
        shifts=selectors.store_shifts(store, active_only=True),
        people=_rosterable(request.user, store, department),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        kind, shift = form.day()
        data = form.cleaned_data
        try:
            count = services.roster_fill(
                actor=request.user,
                store=store,
                people=list(data["people"]),
                first=data["first"],
                last=data["last"],
                weekdays=set(data["weekdays"]),
                kind=kind,
                shift=shift,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(count)d days set.") % {"count": count})
            return redirect(_month_link(store, department, data["first"]))
    return render(
        request,
        "org/roster_fill.html",
        {"form": form, "store": store, "department": department, "back": _month_link(store, department, month)},
        status=form_status(request),
    )


# Import and export


@login_required
def roster_import(request):
    """A month of the roster from Excel or CSV; with any row error nothing is saved and the errors are listed."""
    store = store_for_page(request.user, request.GET.get("store"))
    if not selectors.roster_may_edit_some(request.user, store_id=store.pk):
        raise PermissionDenied
    month = parse_month(request.GET.get("month", "")) or timezone.localdate().replace(day=1)
    initial = {"month": month, "department": parse_id(request.GET.get("department"))}
    form = RosterImportForm(request.POST or None, request.FILES or None, store=store, initial=initial)
    found = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        month = form.cleaned_data["month"]
        department = form.cleaned_data.get("department")
        try:
            found = services.roster_import(
                actor=request.user,
                store=store,
                month=month,
                data=upload.read(services.IMPORT_MAX_BYTES + 1),
                file_name=upload.name or "",
                department=department,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not found.errors:
                messages.success(
                    request,
                    _("The roster of %(month)s was imported: %(people)d people, %(days)d days.")
                    % {"month": f"{month:%Y-%m}", "people": found.rows, "days": found.days},
                )
                return redirect(_month_link(store, department, month))
    status = 400 if request.method == "POST" else 200
    return render(request, "org/roster_import.html", {"form": form, "store": store, "found": found}, status=status)


@login_required
def roster_export(request):
    """The month's grid as an Excel workbook (cells formula-safe)."""
    from openpyxl import Workbook

    require(request.user, Right.VIEW)
    store, department, month, _form = _grid_scope(request)
    grid = _grid(request.user, store, department, month)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"{month:%Y-%m}")
    sheet_append(sheet, [_("Employee no."), _("Name"), _("Department"), *[d["date"].day for d in grid["days"]]])
    for row in grid["rows"]:
        person = row["person"]
        values = [cell["value"] for cell in row["cells"]]
        sheet_append(sheet, [person.employee_no or "", person.name, str(person.department or ""), *values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"roster-{store.code}-{month:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
