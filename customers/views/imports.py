"""Pages of the customer import: upload, columns and preview, progress, result, list of imports.

The progress page polls the step view with htmx; each POST processes one chunk of rows. Without
JavaScript the same step is a button.
"""

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors, form_status
from core.htmx import is_htmx, render_page
from core.pagination import list_page
from org.access import Right, require

from .. import selectors
from ..forms.imports import ImportMappingForm, ImportUploadForm
from ..imports import columns, reading
from ..models import ImportJob
from ..services import imports as services

State = ImportJob.State
ERRORS_PAGE_SIZE = 50
JOBS_PAGE_SIZE = 25
T = TypeVar("T")


def upload_received(request, form: ImportUploadForm, upload: Callable[..., T]) -> T | None:
    """An upload page's POST (customers here, call records in phone): what ``upload(actor=, store=, uploaded=)``
    returns for a valid form and a store where the person may import (403 otherwise), else None, the
    service's errors on the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    store = form.cleaned_data["store"]
    require(request.user, Right.IMPORT, store.pk)
    try:
        return upload(actor=request.user, store=store, uploaded=form.cleaned_data["file"])
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@login_required
def import_start(request):
    """Upload: the store (when the person has several) and the file."""
    require(request.user, Right.IMPORT)
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    job = upload_received(request, form, services.import_upload)
    if job is not None:
        return redirect("customers:import_mapping", job_pk=job.pk)
    return render(
        request,
        "customers/import_start.html",
        {"form": form, "recent": selectors.import_job_list(request.user)[:5], "fields": columns.IMPORT_FIELDS},
        status=form_status(request),
    )


@login_required
def import_list(request):
    require(request.user, Right.IMPORT)
    page = list_page(request, selectors.import_job_list(request.user), JOBS_PAGE_SIZE)
    return render(request, "customers/import_list.html", {"page": page})


def _preview(job: ImportJob, mapping: dict) -> dict:
    mapped = {index: key for key, index in mapping.items()}
    shown = [
        {
            "letter": columns.column_letter(i),
            "header": header,
            "field": columns.field_label(mapped[i]) if i in mapped else "",
        }
        for i, header in enumerate(job.headers)
    ]
    return {"columns": shown, "rows": reading.read_rows(job, 0, services.PREVIEW_ROWS)}


@login_required
def import_mapping(request, job_pk):
    """Which column holds which field, with the first rows of the file to judge by."""
    job = selectors.import_job_get_for_user(request.user, job_pk)
    if job.state not in services.MAPPABLE_STATES:
        return redirect("customers:import_job", job_pk=job.pk)
    initial = {key: str(index) for key, index in job.mapping.items()}
    initial["confirm_vin_check"] = job.confirm_vin_check
    form = ImportMappingForm(request.POST or None, headers=job.headers, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.import_set_mapping(
                job=job,
                actor=request.user,
                mapping=form.mapping(),
                confirm_vin_check=form.cleaned_data["confirm_vin_check"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("customers:import_job", job_pk=job.pk)
    mapping = form.mapping() if form.is_bound and form.is_valid() else job.mapping
    return render(
        request,
        "customers/import_mapping.html",
        {"job": job, "form": form, "preview": _preview(job, mapping)},
        status=form_status(request),
    )


def _error_rows(job: ImportJob, page_number):
    labels = {f.key: f.label for f in columns.IMPORT_FIELDS}
    page = Paginator(job.errors, ERRORS_PAGE_SIZE).get_page(page_number)
    page.object_list = [{**e, "label": labels.get(e["field"], "")} for e in page.object_list]
    return page


@login_required
def import_job(request, job_pk):
    """One import: its progress while it runs, then the counts, the errors and the choices."""
    job = selectors.import_job_get_for_user(request.user, job_pk)
    if job.state == State.UPLOADED:
        return redirect("customers:import_mapping", job_pk=job.pk)
    page = _error_rows(job, request.GET.get("page"))
    return render_page(
        request,
        "customers/import_job.html",
        "customers/partials/import_errors.html",
        {"job": job, "page": page},
    )


@login_required
@require_POST
def import_step(request, job_pk):
    """Process one chunk (checking or writing) and show the progress; at the end, go to the result."""
    job = selectors.import_job_get_for_user(request.user, job_pk)
    if job.state == State.VALIDATING:
        job = services.import_validate_step(job=job, actor=request.user)
    elif job.state == State.IMPORTING:
        job = services.import_commit_step(job=job, actor=request.user)
    return step_response(
        request,
        running=job.is_running,
        partial="customers/partials/import_progress.html",
        context={"job": job},
        page_url=reverse("customers:import_job", kwargs={"job_pk": job.pk}),
    )


def step_response(request, *, running: bool, partial: str, context: dict, page_url: str) -> HttpResponse:
    """The answer to an import's step (customers here, call records in phone): the progress partial while
    the import runs, then its page (HX-Redirect for htmx); without JavaScript, always its page."""
    if not is_htmx(request):
        return redirect(page_url)
    if running:
        return render(request, partial, context)
    response = HttpResponse()
    response["HX-Redirect"] = page_url
    return response


@login_required
@require_POST
def import_commit(request, job_pk):
    """The choice "import the valid rows and list the others"."""
    job = selectors.import_job_get_for_user(request.user, job_pk)
    try:
        services.import_confirm(job=job, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("customers:import_job", job_pk=job.pk)


@login_required
@require_POST
def import_cancel(request, job_pk):
    """The choice "import nothing"."""
    job = selectors.import_job_get_for_user(request.user, job_pk)
    try:
        services.import_cancel(job=job, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Nothing was imported."))
    return redirect("customers:import_job", job_pk=job.pk)


@login_required
def import_errors_download(request, job_pk):
    """The error report as an Excel workbook: row, field, reason and the row's values."""
    job = selectors.import_job_get_for_user(request.user, job_pk)
    try:
        body = selectors.import_error_report(job)
    except OSError:
        messages.error(request, _("The imported file is no longer stored, so the report cannot be made."))
        return redirect("customers:import_job", job_pk=job.pk)
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.xlsx"'
    return response
