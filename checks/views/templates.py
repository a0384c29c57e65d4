"""Checklist pages of managers: templates and their items, areas on a schedule (S4.6–S4.10, S6.1–S6.4, S1.D3)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import form_status
from core.htmx import is_htmx
from org.access import Right, has_right, require, store_for_page, stores_for

from .. import selectors
from ..forms import AreaForm, ItemForm, TemplateForm
from ..services import defaults, templates
from .common import _managed, _saved

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
            "standard_kinds": [
                ("grooming", _("Grooming check from the standard")),
                ("desk", _("Desk check from the standard")),
            ],
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


@login_required
@require_POST
def template_standard(request):
    """The manager's button: the standard grooming (S6.1–S6.4) or desk (S1.D3) template, editable afterwards."""
    require(request.user, Right.MANAGE_STORE)
    store = store_for_page(request.user, request.POST.get("store"), Right.MANAGE_STORE)
    kind = request.POST.get("kind", "")
    if kind not in defaults.STANDARD_TEMPLATES:
        messages.error(request, _("Choose the grooming check or the desk check."))
        return redirect("checks:template_list")
    template = defaults.template_standard(store, kind=kind, actor=request.user)
    messages.success(request, _("The template is ready: edit its items as the store needs."))
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
