"""Checklist pages: today's rounds, a round done on a phone, corrective actions, templates and areas (S4.6–S4.10).

Thin views: the store wall first (checks.selectors' access functions), then the same services as
the API. Auditors view; staff do rounds and put failed items right; managers edit templates and areas.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors, form_status
from core.htmx import is_htmx, render_page
from core.images import photo_response
from core.pagination import list_page
from core.validators import parse_id
from org.access import Right, deny_unless, has_right, require, scope, store_for_page, stores_for

from . import selectors
from .choices import ActionState, ItemKind, RoundState
from .forms import ActionCloseForm, AreaForm, ItemForm, RoundForm, TemplateForm
from .models import Area
from .services import actions, rounds, templates

PAGE_SIZE = 25


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _managed(request, store):
    """The store chosen on a form, once the person is known to manage it (403 otherwise)."""
    require(request.user, Right.MANAGE_STORE, store.pk)
    return store


def _saved(request, form, save, success: str, *, show_errors=add_service_errors):
    """The form's valid input handed to a service: `save()` calls it and returns the record it wrote.

    Returns that record, with `success` shown on the next page; or None when the form was not sent, or
    its input or the service refused it (`show_errors(form, exc)` puts the service's errors on the form,
    each under its field), and the caller shows the form again.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        record = save()
    except ValidationError as exc:
        show_errors(form, exc)
        return None
    messages.success(request, success)
    return record


# --- Rounds --------------------------------------------------------------------------------------


@login_required
def round_list(request):
    """Today's schedule per area (S4.6–S4.10) and the recent rounds with their scores."""
    require(request.user, Right.VIEW)
    filters = {
        "area": parse_id(request.GET.get("area", "")) or "",
        "state": request.GET.get("state", "") if request.GET.get("state") in RoundState.values else "",
        "day": _day(request.GET.get("day", "")),
    }
    qs = selectors.round_list(request.user, **filters)
    page = list_page(request, qs, PAGE_SIZE)
    context = {
        "page": page,
        "filters": filters,
        "states": RoundState.choices,
        "areas": scope(Area.objects.all(), request.user).order_by("store__code", "name"),
        "now": timezone.now(),
    }
    if not is_htmx(request):
        context["schedule"] = selectors.today_schedule(request.user)
        context["can_start_extra"] = {
            a.pk for a in context["areas"] if a.active and rounds.may_start_adhoc(request.user, a.store_id)
        }
    return render_page(request, "checks/round_list.html", "checks/partials/round_rows.html", context)


@login_required
def round_detail(request, round_pk):
    round = selectors.round_get_for_user(request.user, round_pk)
    results = selectors.round_results(round)
    return render(
        request,
        "checks/round_detail.html",
        {
            "round": round,
            "results": results,
            "can_do": has_right(request.user, Right.EDIT, round.store_id) and round.state == RoundState.OPEN,
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
    deny_unless(rounds.may_start_adhoc(request.user, area.store_id))
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
    """A round item's photo, behind the store wall."""
    return photo_response(selectors.result_get_for_user(request.user, result_pk).photo)


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
    """A corrective action's photo after, behind the store wall."""
    return photo_response(selectors.action_get_for_user(request.user, action_pk).photo)


# --- Templates -----------------------------------------------------------------------------------


@login_required
def template_list(request):
    require(request.user, Right.VIEW)
    manage_stores = list(stores_for(request.user, Right.MANAGE_STORE))
    return render(
        request,
        "checks/template_list.html",
        {
            "templates": selectors.template_list(request.user),
            "manage_stores": manage_stores,
            "can_manage": bool(manage_stores),
        },
    )


@login_required
def template_create(request):
    require(request.user, Right.MANAGE_STORE)
    form = TemplateForm(request.POST or None, user=request.user)
    template = _saved(
        request,
        form,
        lambda: templates.template_create(
            actor=request.user, store=_managed(request, form.chosen_store()), **form.service_data()
        ),
        _("Template created: now add its items."),
    )
    if template:
        return redirect("checks:template_detail", template.pk)
    return render(request, "checks/template_form.html", {"form": form}, status=form_status(request))


@login_required
@require_POST
def template_default(request):
    """The manager's button: the default lounge hygiene template (S4.6–S4.10) and its hourly area."""
    require(request.user, Right.MANAGE_STORE)
    store = store_for_page(request.user, request.POST.get("store"), Right.MANAGE_STORE)
    template = templates.template_default_lounge(store, actor=request.user)
    if not template.areas.exists():
        messages.warning(
            request, _("The store has no lounge department: add one, then create the lounge area on the areas page.")
        )
    else:
        messages.success(request, _("The default lounge hygiene template is ready."))
    return redirect("checks:template_detail", template.pk)


def _template_page(request, template, *, form=None, item_form=None, status=200):
    can_manage = has_right(request.user, Right.MANAGE_STORE, template.store_id)
    return render(
        request,
        "checks/template_detail.html",
        {
            "template": template,
            "items": selectors.template_items(template),
            "can_manage": can_manage,
            "form": form or (TemplateForm(user=request.user, template=template) if can_manage else None),
            "item_form": item_form or (ItemForm() if can_manage else None),
            "history": selectors.template_history(template),
        },
        status=status,
    )


@login_required
def template_detail(request, template_pk):
    """The template editor for managers (read-only for everyone else who may view)."""
    if request.method != "POST":
        return _template_page(request, selectors.template_get_for_user(request.user, template_pk))
    template = selectors.template_get_for_user(request.user, template_pk, right=Right.MANAGE_STORE)
    form = TemplateForm(request.POST, user=request.user, template=template)
    if _saved(
        request,
        form,
        lambda: templates.template_update(actor=request.user, template=template, **form.service_data()),
        _("Saved."),
    ):
        return redirect("checks:template_detail", template.pk)
    return _template_page(request, template, form=form, status=400)


@login_required
@require_POST
def item_add(request, template_pk):
    template = selectors.template_get_for_user(request.user, template_pk, right=Right.MANAGE_STORE)
    form = ItemForm(request.POST)
    if _saved(
        request,
        form,
        lambda: templates.template_item_add(actor=request.user, template=template, **form.service_data()),
        _("Item added."),
    ):
        return redirect("checks:template_detail", template.pk)
    return _template_page(request, template, item_form=form, status=400)


@login_required
def item_edit(request, item_pk):
    item = selectors.item_get_for_user(request.user, item_pk, right=Right.MANAGE_STORE)
    form = ItemForm(request.POST or None, item=item)
    if _saved(
        request,
        form,
        lambda: templates.template_item_edit(actor=request.user, item=item, **form.service_data()),
        _("Item saved."),
    ):
        return redirect("checks:template_detail", item.template_id)
    return render(
        request,
        "checks/item_form.html",
        {"form": form, "item": item, "template": item.template},
        status=form_status(request),
    )


@login_required
@require_POST
def item_move(request, item_pk):
    """Move an item up or down; with htmx only the list of items is redrawn."""
    item = selectors.item_get_for_user(request.user, item_pk, right=Right.MANAGE_STORE)
    try:
        templates.template_item_move(actor=request.user, item=item, direction=request.POST.get("direction", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if is_htmx(request):
        template = item.template
        return render(
            request,
            "checks/partials/template_items.html",
            {"template": template, "items": selectors.template_items(template), "can_manage": True},
        )
    return redirect("checks:template_detail", item.template_id)


@login_required
@require_POST
def item_remove(request, item_pk):
    item = selectors.item_get_for_user(request.user, item_pk, right=Right.MANAGE_STORE)
    templates.template_item_remove(actor=request.user, item=item)
    messages.success(request, _("Item removed; past rounds keep it."))
    return redirect("checks:template_detail", item.template_id)


# --- Areas ---------------------------------------------------------------------------------------


@login_required
def area_list(request):
    require(request.user, Right.VIEW)
    return render(
        request,
        "checks/area_list.html",
        {"areas": selectors.area_list(request.user), "can_manage": has_right(request.user, Right.MANAGE_STORE)},
    )


def _area_page(request, form, area, save):
    """The area form (new or edit); saved, back to the list of areas."""
    if _saved(request, form, save, _("Area saved.")):
        return redirect("checks:area_list")
    return render(request, "checks/area_form.html", {"form": form, "area": area}, status=form_status(request))


@login_required
def area_create(request):
    require(request.user, Right.MANAGE_STORE)
    form = AreaForm(request.POST or None, user=request.user)
    return _area_page(
        request,
        form,
        None,
        lambda: templates.area_create(
            actor=request.user, store=_managed(request, form.chosen_store()), **form.service_data()
        ),
    )


@login_required
def area_edit(request, area_pk):
    area = selectors.area_get_for_user(request.user, area_pk, right=Right.MANAGE_STORE)
    form = AreaForm(request.POST or None, user=request.user, area=area)
    return _area_page(
        request, form, area, lambda: templates.area_update(actor=request.user, area=area, **form.service_data())
    )
