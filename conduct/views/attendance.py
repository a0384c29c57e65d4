"""Pages of the attendance import (S1.D1a): upload, the check (columns, row errors, the choice), the imports, one
import, and the attendance list of a person or a month.

Who imports: the store's managers and supervisors (conduct.selectors.attendance.may_import_attendance).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors, form_status
from core.htmx import render_page
from core.pagination import list_page
from org.access import Right, store_for_page, stores_for

from ..choices import BatchState
from ..forms.attendance import AttendanceFilterForm, AttendanceMappingForm, AttendanceUploadForm
from ..imports.columns import ATTENDANCE_FIELDS, clean_mapping, column_name
from ..selectors import attendance as selectors
from ..services import attendance as services

ERRORS_PAGE_SIZE = 50
BATCHES_PAGE_SIZE = 25
DAYS_PAGE_SIZE = 50


@login_required
def attendance_import_start(request):
    """Upload: the store (for people of several), where the file comes from, and the file."""
    if not selectors.may_import_attendance(request.user):
        raise PermissionDenied
    form = AttendanceUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.attendance_upload(
                actor=request.user,
                store=form.cleaned_data["store"],
                uploaded=form.cleaned_data["file"],
                source=form.cleaned_data["source"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("conduct:attendance_batch", batch_pk=batch.pk)
    return render(
        request,
        "conduct/attendance_import.html",
        {
            "form": form,
            "recent": selectors.attendance_batch_list(request.user)[:5],
            "fields": ATTENDANCE_FIELDS,
        },
        status=form_status(request),
    )


@login_required
def attendance_batch_list(request):
    if not selectors.may_see_attendance_imports(request.user):
        raise PermissionDenied
    page = list_page(request, selectors.attendance_batch_list(request.user), BATCHES_PAGE_SIZE)
    return render(request, "conduct/attendance_batches.html", {"page": page})


def _errors_page(batch, page_number):
    labels = {f.key: f.label for f in ATTENDANCE_FIELDS}
    page = Paginator(batch.errors, ERRORS_PAGE_SIZE).get_page(page_number)
    page.object_list = [
        {
            **e,
            "label": labels.get(e["field"], e["field"]),
            "column": column_name(batch.headers, batch.mapping[e["field"]]) if e["field"] in batch.mapping else "",
        }
        for e in page.object_list
    ]
    return page


@login_required
def attendance_batch(request, batch_pk):
    """One import: while checked, the columns, the row errors and the choice; once imported, what it wrote."""
    batch = selectors.attendance_batch_get_for_user(request.user, batch_pk)
    form, mapping_problems = None, []
    if batch.state == BatchState.CHECKED:
        initial = {key: str(index) for key, index in batch.mapping.items()}
        form = AttendanceMappingForm(headers=batch.headers, initial=initial)
        try:
            clean_mapping(batch.headers, batch.mapping)
        except ValidationError as exc:
            mapping_problems = exc.messages  # a column the guess did not find: choose it before importing
    imported = batch.state == BatchState.IMPORTED
    drafts = selectors.attendance_batch_drafts(batch) if imported else []
    days = selectors.attendance_batch_days(batch) if imported else []
    return render_page(
        request,
        "conduct/attendance_batch.html",
        "conduct/partials/attendance_errors.html",
        {
            "batch": batch,
            "form": form,
            "page": _errors_page(batch, request.GET.get("page")),
            "drafts": drafts,
            "days": days,
            "mapping_problems": mapping_problems,
            "may_import": selectors.may_import_attendance(request.user, batch.store_id),
        },
    )


@login_required
@require_POST
def attendance_batch_columns(request, batch_pk):
    """The chosen columns: every row is checked again."""
    batch = selectors.attendance_batch_get_for_user(request.user, batch_pk, right=Right.IMPORT)
    form = AttendanceMappingForm(request.POST, headers=batch.headers)
    if form.is_valid():
        try:
            services.attendance_set_mapping(actor=request.user, batch=batch, mapping=form.mapping())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("conduct:attendance_batch", batch_pk=batch.pk)
    return render(
        request,
        "conduct/attendance_batch.html",
        {
            "batch": batch,
            "form": form,
            "page": _errors_page(batch, None),
            "drafts": [],
            "may_import": True,
        },
        status=400,
    )


@login_required
@require_POST
def attendance_batch_confirm(request, batch_pk):
    """The choice "import the good rows"."""
    batch = selectors.attendance_batch_get_for_user(request.user, batch_pk, right=Right.IMPORT)
    try:
        batch = services.attendance_confirm(actor=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("conduct:attendance_batch", batch_pk=batch.pk)


@login_required
@require_POST
def attendance_batch_refuse(request, batch_pk):
    """The choice "import nothing"."""
    batch = selectors.attendance_batch_get_for_user(request.user, batch_pk, right=Right.IMPORT)
    try:
        services.attendance_refuse(actor=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Nothing was imported."))
    return redirect("conduct:attendance_batch", batch_pk=batch.pk)


@login_required
def attendance_list(request):
    """Who was late when (S1.D1a): a month of a store's days for managers and supervisors, one's own for staff."""
    store = store_for_page(request.user, request.GET.get("store"))
    people = selectors.attendance_people(request.user, store.pk)
    form = AttendanceFilterForm(
        request.GET or None, stores=stores_for(request.user, Right.VIEW), people=people, initial={"store": store.pk}
    )
    person_id = month = None
    if form.is_bound and form.is_valid():
        person_id = form.cleaned_data["person"]
        month = form.cleaned_data["month"]
    days = selectors.attendance_days(request.user, store_id=store.pk, person_id=person_id, month=month)
    return render_page(
        request,
        "conduct/attendance_list.html",
        "conduct/partials/attendance_days.html",
        {
            "form": form,
            "store": store,
            "page": list_page(request, days, DAYS_PAGE_SIZE),
            "summary": selectors.attendance_month_summary(days) if month else [],
            "month": month,
            "may_import": selectors.may_import_attendance(request.user, store.pk),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
