"""Complaint pages: list, intake, detail with each stage's form, a department's verification inbox."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.audit import history_for
from core.forms import add_service_errors
from core.htmx import render_page
from core.validators import mask_phone
from org.access import Right, get_for_user, has_right, require, scope
from org.models import Department
from phone.models import Call

from . import selectors, services
from .choices import ComplaintState, Severity
from .forms import AnswerForm, ComplaintForm, FollowUpForm, ReopenForm, ReplyForm, VerificationRequestForm

PAGE_SIZE = 25


@login_required
def complaint_list(request):
    require(request.user, Right.VIEW)
    filters = {
        "state": request.GET.get("state", "") if request.GET.get("state") in ComplaintState.values else "",
        "severity": request.GET.get("severity", "") if request.GET.get("severity") in Severity.values else "",
        "department": request.GET.get("department", ""),
        "overdue": request.GET.get("overdue") == "1",
    }
    qs = selectors.complaint_list(request.user, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    departments = scope(Department.objects.filter(active=True), request.user).order_by("store", "name")
    return render_page(
        request,
        "complaints/complaint_list.html",
        "complaints/partials/complaint_rows.html",
        {
            "page": page,
            "filters": filters,
            "states": ComplaintState.choices,
            "severities": Severity.choices,
            "departments": departments,
            "can_log": has_right(request.user, Right.EDIT),
        },
    )


def _from_call(request):
    """A call of the person's stores, to fill the form from (the console links /complaints/new/?call=<id>)."""
    call_id = request.POST.get("call") or request.GET.get("call")
    if not call_id:
        return None
    return get_for_user(Call.objects.select_related("customer", "store"), request.user, pk=call_id)


@login_required
def complaint_create(request):
    """Log a complaint: every required fact, a reply time promised; supervisors told at once (S2.4, S2.6)."""
    require(request.user, Right.EDIT)
    call = _from_call(request)
    initial = {}
    if call is not None:
        initial = {"store": call.store_id, "channel": "phone", "contact_phone": call.number, "call": call.pk}
        initial["happened_at"] = call.started_at
        if call.department_id:
            initial["department"] = call.department_id
        if call.customer is not None:
            initial["customer_name"] = call.customer.name
            vehicle = call.customer.vehicles.first()
            if vehicle is not None:
                initial["plate"] = vehicle.plate
                initial["vehicle_model"] = " ".join(filter(None, [vehicle.brand, vehicle.model]))
    form = ComplaintForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        store = form.cleaned_data["store"]
        require(request.user, Right.EDIT, store.pk)
        try:
            complaint = services.complaint_log(actor=request.user, store=store, data=form.service_data(), call=call)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Complaint %(number)s logged.") % {"number": complaint.number})
            return redirect("complaints:complaint_detail", complaint.pk)
    return render(
        request,
        "complaints/complaint_form.html",
        {"form": form, "call": call},
        status=400 if request.method == "POST" else 200,
    )


def _detail_context(request, complaint) -> dict:
    user = request.user
    can_handle = services.may_handle(user, complaint)
    return {
        "complaint": complaint,
        "verifications": complaint.verifications.select_related("department", "asked_by", "answered_by"),
        "history": history_for(complaint),
        "can_handle": can_handle,
        "can_follow_up": services.may_follow_up(user, complaint),
        "verify_form": VerificationRequestForm(store=complaint.store) if can_handle else None,
        "reply_form": ReplyForm(),
        "followup_form": FollowUpForm(),
        "reopen_form": ReopenForm(),
        "answer_form": AnswerForm(),
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


def _act(request, complaint_pk, call):
    """Run one stage's service; its errors are shown as a message naming the field and rule."""
    complaint = selectors.complaint_get_for_user(request.user, complaint_pk, right=Right.EDIT)
    try:
        call(complaint)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("complaints:complaint_detail", complaint.pk)


@login_required
@require_POST
def complaint_acknowledge(request, complaint_pk):
    return _act(request, complaint_pk, lambda c: services.complaint_acknowledge(actor=request.user, complaint=c))


@login_required
@require_POST
def complaint_verify(request, complaint_pk):
    def call(c):
        form = VerificationRequestForm(request.POST, store=c.store)
        form.is_valid()
        services.verification_request(
            actor=request.user,
            complaint=c,
            departments=form.cleaned_data.get("departments") or [],
            question=form.cleaned_data.get("question", ""),
        )

    return _act(request, complaint_pk, call)


@login_required
@require_POST
def complaint_reply(request, complaint_pk):
    def call(c):
        form = ReplyForm(request.POST)
        form.is_valid()
        services.complaint_reply(
            actor=request.user,
            complaint=c,
            channel=form.cleaned_data.get("reply_channel", ""),
            text=form.cleaned_data.get("reply_text", ""),
        )

    return _act(request, complaint_pk, call)


@login_required
@require_POST
def complaint_followup(request, complaint_pk):
    def call(c):
        form = FollowUpForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Give the customer's score from 1 to 5."))
        services.complaint_followup(
            actor=request.user,
            complaint=c,
            reached=form.cleaned_data["reached"],
            score=form.cleaned_data.get("satisfaction_score"),
            comment=form.cleaned_data.get("satisfaction_comment", ""),
        )

    return _act(request, complaint_pk, call)


@login_required
@require_POST
def complaint_close(request, complaint_pk):
    return _act(request, complaint_pk, lambda c: services.complaint_close(actor=request.user, complaint=c))


@login_required
@require_POST
def complaint_reopen(request, complaint_pk):
    def call(c):
        form = ReopenForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Enter a valid date/time."))
        services.complaint_reopen(
            actor=request.user,
            complaint=c,
            reason=form.cleaned_data.get("reason", ""),
            reply_promised_at=form.cleaned_data.get("reply_promised_at"),
        )

    return _act(request, complaint_pk, call)


@login_required
def verification_inbox(request):
    """The verifications asked of the person's department, oldest first (S2.6)."""
    require(request.user, Right.VIEW)
    show_all = request.GET.get("all") == "1"
    qs = selectors.verification_inbox(request.user, open_only=not show_all)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "complaints/verification_inbox.html",
        "complaints/partials/verification_rows.html",
        {"page": page, "show_all": show_all, "answer_form": AnswerForm()},
    )


@login_required
@require_POST
def verification_answer(request, verification_pk):
    verification = selectors.verification_get_for_user(request.user, verification_pk, right=Right.EDIT)
    form = AnswerForm(request.POST)
    form.is_valid()
    try:
        services.verification_answer(
            actor=request.user, verification=verification, answer=form.cleaned_data.get("answer", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    if request.POST.get("next") == "detail":
        return redirect("complaints:complaint_detail", verification.complaint_id)
    return redirect("complaints:verification_inbox")
