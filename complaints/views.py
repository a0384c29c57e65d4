"""Complaint pages: list, intake, detail with each stage's form, a department's verification inbox."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.audit import history_for
from core.forms import add_service_errors, form_status
from core.htmx import render_page
from core.pagination import CappedPaginator, list_page
from core.validators import format_phone, mask_phone
from customers.selectors import customer_for_number
from org.access import Right, get_for_user, has_right, require
from phone.models import Call

from . import selectors
from .choices import ComplaintState, Severity
from .forms import (
    AnswerForm,
    ComplaintFilterForm,
    ComplaintForm,
    FollowUpForm,
    ReopenForm,
    ReplyForm,
    StageForm,
    VerificationRequestForm,
)
from .models import Complaint
from .services import complaints, stages

PAGE_SIZE = 25


@login_required
def complaint_list(request):
    """Complaints of the person's stores, newest first, filtered; the complaint figures (insights) link here.

    A filter that is not valid is named under it, and the list then shows nothing rather than
    complaints that were not asked for.
    """
    require(request.user, Right.VIEW)
    filters = ComplaintFilterForm(request.GET, user=request.user)
    qs = selectors.complaint_list(request.user, **filters.selector_filters()) if filters.is_valid() else None
    page = list_page(request, qs if qs is not None else Complaint.objects.none(), PAGE_SIZE)
    return render_page(
        request,
        "complaints/complaint_list.html",
        "complaints/partials/complaint_list_body.html",
        {
            "page": page,
            "filters": filters,
            "chosen_severities": filters.data.getlist("severity"),
            "severities": Severity.choices,
            "can_log": has_right(request.user, Right.EDIT),
        },
    )


def _from_call(request):
    """A call of the person's stores, to fill the form from (the console links /complaints/new/?call=<id>)."""
    call_id = request.POST.get("call") or request.GET.get("call")
    if not call_id:
        return None
    if not (call_id.isascii() and call_id.isdigit() and len(call_id) <= 18):
        raise Http404  # not an id: as if there were no such call
    return get_for_user(Call.objects.select_related("customer", "store"), request.user, pk=int(call_id))


def _initial_from_call(call) -> dict:
    """The complaint form filled from the call it was logged from (S2.4): who, which number, when, what was said.

    The customer is the call's, else the store's customer with the call's number (one made after the
    call, from the console's "new customer"), else the caller-ID name the phone system showed.
    """
    initial = {"store": call.store_id, "channel": "phone", "contact_phone": call.number, "call": call.pk}
    initial["happened_at"] = timezone.localtime(call.started_at).replace(second=0, microsecond=0)
    if call.department_id:
        initial["department"] = call.department_id
    if call.notes:
        initial["course"] = call.notes
    customer = call.customer or customer_for_number(call.store, call.number_digits)
    if customer is not None:
        initial["customer_name"] = customer.name
        vehicle = customer.vehicles.first()
        if vehicle is not None:
            initial["plate"] = vehicle.plate
            initial["vehicle_model"] = " ".join(filter(None, [vehicle.brand, vehicle.model]))
    elif call.caller_name:
        initial["customer_name"] = call.caller_name
    return initial


@login_required
def complaint_create(request):
    """Log a complaint: every required fact, a reply time promised; supervisors told at once (S2.4, S2.6)."""
    require(request.user, Right.EDIT)
    call = _from_call(request)
    initial = _initial_from_call(call) if call is not None else {}
    form = ComplaintForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        store = form.cleaned_data["store"]
        require(request.user, Right.EDIT, store.pk)
        try:
            complaint = complaints.complaint_log(actor=request.user, store=store, call=call, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Complaint %(number)s logged.") % {"number": complaint.number})
            return redirect("complaints:complaint_detail", complaint.pk)
    return render(
        request,
        "complaints/complaint_form.html",
        {"form": form, "call": call},
        status=form_status(request),
    )


def _answer_forms(verifications, failed: AnswerForm | None = None, failed_pk: int | None = None) -> list:
    """The verifications, each with its answer form (ids of their own); the one that failed keeps its input and errors."""
    verifications = list(verifications)
    for v in verifications:
        v.answer_form = failed if v.pk == failed_pk else AnswerForm(auto_id=f"id_v{v.pk}_%s")
    return verifications


def _detail_context(request, complaint, *, failed: str = "", form=None, answer_pk: int | None = None) -> dict:
    """The complaint page; `failed` names the stage form sent back with its errors (`form`), nothing saved."""
    user = request.user
    can_handle = complaints.may_handle(user, complaint)
    forms = {
        "acknowledge_form": StageForm(),
        "verify_form": VerificationRequestForm(complaint=complaint) if can_handle else None,
        "reply_form": ReplyForm(),
        "followup_form": FollowUpForm(),
        "close_form": StageForm(),
        "reopen_form": ReopenForm(),
    }
    if failed and failed != "answer_form":
        forms[failed] = form
    verifications = complaint.verifications.select_related("department", "asked_by", "answered_by")
    return forms | {
        "complaint": complaint,
        "verifications": _answer_forms(verifications, form if failed == "answer_form" else None, answer_pk),
        "failed_form": form if failed else None,
        "failed_field_errors": bool(failed) and any(name != NON_FIELD_ERRORS for name in form.errors),
        "history": history_for(complaint),
        "can_handle": can_handle,
        "can_follow_up": complaints.may_follow_up(user, complaint),
        "can_reveal": has_right(user, Right.REVEAL_PHONE, complaint.store_id),
        "user_department_id": user.department_id,
        "contact_masked": mask_phone(complaint.contact_phone),
        "S": ComplaintState,
    }


@login_required
def complaint_detail(request, complaint_pk):
    complaint = selectors.complaint_get_for_user(request.user, complaint_pk)
    return render_page(
        request,
        "complaints/complaint_detail.html",
        "complaints/partials/complaint_stages.html",
        _detail_context(request, complaint),
    )


@login_required
@require_POST
def complaint_reveal_phone(request, complaint_pk):
    """Show the contact phone in full; the reveal is logged like a customer's number (who, when, which complaint)."""
    complaint = selectors.complaint_get_for_user(request.user, complaint_pk, right=Right.REVEAL_PHONE)
    try:
        number = complaints.complaint_reveal_phone(actor=request.user, complaint=complaint)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    return render(
        request, "customers/partials/revealed_phone.html", {"value": format_phone(number), "field": "contact-phone"}
    )


def _stage_view(stage: str, form_class: type[StageForm], service):
    """The page view of one stage: `service` (a complaints.services.stages function) run with the input
    of `form_class`, on the complaint behind the wall; the view is named complaint_<stage>.

    Bad input comes back on the complaint page with each error under its field (a problem with the
    complaint as a whole, such as its state, above the stages); the service saves all or nothing.
    """

    @login_required
    @require_POST
    def view(request, complaint_pk):
        complaint = selectors.complaint_get_for_user(request.user, complaint_pk, right=Right.EDIT)
        form = form_class(request.POST, complaint=complaint)
        if form.is_valid():
            try:
                service(actor=request.user, complaint=complaint, **form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("complaints:complaint_detail", complaint.pk)
        complaint = selectors.complaint_get_for_user(request.user, complaint_pk)
        context = _detail_context(request, complaint, failed=f"{stage}_form", form=form)
        return render(request, "complaints/complaint_detail.html", context, status=400)

    view.__name__ = view.__qualname__ = f"complaint_{stage}"
    return view


complaint_acknowledge = _stage_view("acknowledge", StageForm, stages.complaint_acknowledge)
complaint_verify = _stage_view("verify", VerificationRequestForm, stages.verification_request)
complaint_reply = _stage_view("reply", ReplyForm, stages.complaint_reply)
complaint_followup = _stage_view("followup", FollowUpForm, stages.complaint_followup)
complaint_close = _stage_view("close", StageForm, stages.complaint_close)
complaint_reopen = _stage_view("reopen", ReopenForm, stages.complaint_reopen)


def _inbox_page(request, show_all: bool, page_number):
    qs = selectors.verification_inbox(request.user, open_only=not show_all)
    return CappedPaginator(qs, PAGE_SIZE).get_page(page_number)


@login_required
def verification_inbox(request):
    """The verifications asked of the person's department, oldest first (S2.6)."""
    require(request.user, Right.VIEW)
    show_all = request.GET.get("all") == "1"
    page = _inbox_page(request, show_all, request.GET.get("page"))
    page.object_list = _answer_forms(page.object_list)
    return render_page(
        request,
        "complaints/verification_inbox.html",
        "complaints/partials/verification_rows.html",
        {"page": page, "show_all": show_all},
    )


@login_required
@require_POST
def verification_answer(request, verification_pk):
    """The asked department's answer, from its inbox or the complaint page; bad input comes back under the field."""
    verification = selectors.verification_get_for_user(request.user, verification_pk, right=Right.EDIT)
    form = AnswerForm(request.POST, auto_id=f"id_v{verification.pk}_%s")
    if form.is_valid():
        try:
            stages.verification_answer(
                actor=request.user, verification=verification, answer=form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            if request.POST.get("next") == "detail":
                return redirect("complaints:complaint_detail", verification.complaint_id)
            return redirect("complaints:verification_inbox")
    if request.POST.get("next") == "detail":
        complaint = selectors.complaint_get_for_user(request.user, verification.complaint_id)
        context = _detail_context(request, complaint, failed="answer_form", form=form, answer_pk=verification.pk)
        return render(request, "complaints/complaint_detail.html", context, status=400)
    show_all = request.POST.get("all") == "1"
    page = _inbox_page(request, show_all, request.POST.get("page"))
    page.object_list = _answer_forms(page.object_list, form, verification.pk)
    shown = any(v.pk == verification.pk for v in page.object_list)
    context = {"page": page, "show_all": show_all, "failed_form": form, "failed_shown": shown}
    return render(request, "complaints/verification_inbox.html", context, status=400)
