"""Checklist pages: today's rounds, a round done on a phone, corrective actions (S4.6–S4.10).

Thin views: the store wall first (checks.selectors' access functions), then the same services as
the API. Auditors view; staff do rounds and put failed items right; managers edit templates and areas.
A round of people (S6.1–S6.4, S1.D3) is done on its own page (checks.views.people).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import form_status
from core.htmx import is_htmx, render_page
from core.images import photo_response
from core.pagination import list_page
from core.validators import parse_id
from org.access import Right, deny_unless, require, scope

from .. import selectors
from ..choices import ActionState, ItemKind, Purpose, RoundState
from ..forms import ActionCloseForm, ConfirmForm, RoundForm
from ..models import Area
from ..services import actions, people, rounds
from . import people as people_views
from .common import PAGE_SIZE, _day, _saved

# --- Rounds --------------------------------------------------------------------------------------


@login_required
def round_list(request):
    """Today's schedule per area (S4.6–S4.10) and the recent rounds with their scores."""
    require(request.user, Right.VIEW)
    filters = {
        "area": parse_id(request.GET.get("area", "")) or "",
        "state": request.GET.get("state", "") if request.GET.get("state") in RoundState.values else "",
        "day": _day(request.GET.get("day", "")),
        "purpose": request.GET.get("purpose", "") if request.GET.get("purpose") in Purpose.values else "",
    }
    qs = selectors.round_list(request.user, **filters)
    page = list_page(request, qs, PAGE_SIZE)
    context = {
        "page": page,
        "filters": filters,
        "states": RoundState.choices,
        "purposes": Purpose.choices,
        "areas": scope(Area.objects.all(), request.user).order_by("store__code", "name"),
        "now": timezone.now(),
    }
    if not is_htmx(request):
        context["schedule"] = selectors.today_schedule(request.user)
        context["can_start_extra"] = {
            a.pk for a in context["areas"] if a.active and rounds.may_start_extra(request.user, a)
        }
    return render_page(request, "checks/round_list.html", "checks/partials/round_rows.html", context)


@login_required
def round_detail(request, round_pk):
    round = selectors.round_get_for_user(request.user, round_pk)
    subjects = selectors.round_subjects(round)
    results = [] if subjects else selectors.round_results(round)
    for subject in subjects:  # photos of people: the person, their supervisors, the managers only (S6)
        subject.photos_visible = selectors.may_see_person(request.user, subject.person_id, round.store_id)
        for result in subject.items:
            if getattr(result, "action", None) is not None and result.passed is False:
                result.action.can_confirm = actions.may_confirm_correction(request.user, result.action)
    return render(
        request,
        "checks/round_detail.html",
        {
            "round": round,
            "results": results,
            "subjects": subjects,
            "is_people": bool(subjects) or people.is_people_round(round),
            "can_do": round.state == RoundState.OPEN and rounds.may_do_round(request.user, round),
            "S": RoundState,
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def round_start(request, round_pk):
    """Start a scheduled round: the template's items are copied into it as they read now."""
    round = selectors.round_get_for_user(request.user, round_pk, right=Right.EDIT)
    try:
        rounds.round_start(actor=request.user, round=round)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("checks:round_detail", round.pk)
    return redirect("checks:round_do", round.pk)


@login_required
@require_POST
def round_adhoc(request, area_pk):
    """An extra round of an area, outside the schedule: supervisors and managers."""
    area = selectors.area_get_for_user(request.user, area_pk, right=Right.EDIT)
    deny_unless(rounds.may_start_extra(request.user, area))
    try:
        round = rounds.round_start_adhoc(actor=request.user, area=area)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("checks:round_list")
    return redirect("checks:round_do", round.pk)


@login_required
def round_do(request, round_pk):
    """The round on a phone: one screen, big pass/fail toggles, values, comments, the camera."""
    round = selectors.round_get_for_user(request.user, round_pk, right=Right.EDIT)
    if round.state != RoundState.OPEN or round.started_at is None:
        return redirect("checks:round_detail", round.pk)
    if people.is_people_round(round):
        return people_views.people_page(request, round)
    results = selectors.round_results(round)
    form = RoundForm(request.POST or None, request.FILES or None, round=round, results=results)
    if _saved(
        request,
        form,
        lambda: rounds.round_submit(
            actor=request.user,
            round=round,
            answers=form.answers(),
            action_owner=form.cleaned_data.get("action_owner"),
        ),
        _("Round submitted."),
        show_errors=RoundForm.add_service_errors,
    ):
        return redirect("checks:round_detail", round.pk)
    return render(
        request,
        "checks/round_do.html",
        {"round": round, "form": form, "rows": list(form.rows()), "MEASURED": ItemKind.MEASURED},
        status=form_status(request),
    )


@login_required
def result_photo(request, result_pk):
    """A round item's photo, behind the store wall; a person's photo only for those who may see it (S6)."""
    return photo_response(selectors.result_photo_get_for_user(request.user, result_pk))


# --- Corrective actions --------------------------------------------------------------------------


@login_required
def action_list(request):
    """Corrective actions of failed items, open ones first."""
    require(request.user, Right.VIEW)
    state = request.GET.get("state", "") if request.GET.get("state") in ActionState.values else ""
    page = list_page(request, selectors.action_list(request.user, state=state), PAGE_SIZE)
    return render_page(
        request,
        "checks/action_list.html",
        "checks/partials/action_rows.html",
        {"page": page, "state": state, "states": ActionState.choices, "now": timezone.now()},
    )


def _action_page(request, action, form, status=200):
    return render(
        request,
        "checks/action_detail.html",
        {
            "action": action,
            "form": form,
            "can_close": action.state == ActionState.OPEN and actions.may_close_action(request.user, action),
            "is_person": action.result.subject_id is not None,
            "photos_visible": selectors.may_see_person(request.user, action.result.subject_id, action.store_id),
            "confirm_form": ConfirmForm(),
        },
        status=status,
    )


@login_required
def action_detail(request, action_pk):
    action = selectors.action_get_for_user(request.user, action_pk)
    return _action_page(request, action, ActionCloseForm())


@login_required
@require_POST
def action_close(request, action_pk):
    """Close a corrective action with what was done (and a photo after); its clock is kept."""
    action = selectors.action_get_for_user(request.user, action_pk, right=Right.EDIT)
    form = ActionCloseForm(request.POST, request.FILES)
    closed = _saved(
        request,
        form,
        lambda: actions.action_close(
            actor=request.user, action=action, note=form.cleaned_data["note"], photo=form.cleaned_data["photo"]
        ),
        _("Corrective action closed."),
    )
    if closed:
        return redirect("checks:action_detail", action.pk)
    return _action_page(request, action, form, status=400)


@login_required
def action_photo(request, action_pk):
    """A corrective action's photo after, behind the store wall; a person's only for those who may see it (S6)."""
    return photo_response(selectors.action_photo_get_for_user(request.user, action_pk))
