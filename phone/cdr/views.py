"""Pages of the call-record import: upload, progress (htmx polling of the step view), result.

Each POST to the step view imports the next part of the stored file, read once, from where the last
step stopped (phone.cdr.upload.cdr_import_step). Without JavaScript the same step is a button.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.forms import form_status
from core.htmx import render_page
from customers.forms.imports import ImportUploadForm
from customers.views.imports import step_response, upload_received
from org.access import Right, require, scope

from ..models import CdrImport
from ..selectors import cdr_import_get_for_user
from . import importer, upload

ERRORS_PAGE_SIZE = 50


class CdrUploadForm(ImportUploadForm):
    """The phone system's call-record file, for one of the person's stores."""

    accept = ".csv,.txt"

    def file_help(self) -> str:
        return _(
            "Asterisk's Master.csv or a CSV export of the FreePBX or Issabel cdr table with its header row, "
            "UTF-8 or GBK, of at most %(limit)d MB."
        )


@login_required
def cdr_import_start(request):
    """Upload: the store (when the person has several) and the file."""
    require(request.user, Right.IMPORT)
    form = CdrUploadForm(request.POST or None, request.FILES or None, user=request.user)
    imp = upload_received(request, form, upload.cdr_upload)
    if imp is not None:
        return redirect("phone:cdr_import", cdr_pk=imp.pk)
    recent = scope(CdrImport.objects.select_related("store", "created_by").defer("errors"), request.user)[:10]
    return render(
        request,
        "phone/cdr_import_start.html",
        {"form": form, "recent": recent},
        status=form_status(request),
    )


@login_required
def cdr_import_detail(request, cdr_pk):
    """One import: its progress while it runs, then the counts and the bad lines."""
    imp = importer.cdr_import_stopped(
        cdr_import_get_for_user(request.user, cdr_pk)
    )  # a killed command's import says so
    page = Paginator(imp.errors, ERRORS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(request, "phone/cdr_import.html", "phone/partials/cdr_errors.html", {"imp": imp, "page": page})


@login_required
@require_POST
def cdr_import_step(request, cdr_pk):
    """Write the next chunk of calls and show the progress; at the end, go to the result."""
    imp = cdr_import_get_for_user(request.user, cdr_pk)
    imp = upload.cdr_import_step(imp=imp, actor=request.user)
    return step_response(
        request,
        running=imp.is_running,
        partial="phone/partials/cdr_progress.html",
        context={"imp": imp},
        page_url=reverse("phone:cdr_import", kwargs={"cdr_pk": imp.pk}),
    )
