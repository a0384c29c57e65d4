"""A store's discipline settings (S1.D1a–c, S1.D3, S1.D4): its people read them, its managers change them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.audit import history_for
from core.forms import add_service_errors
from core.htmx import is_htmx, render_page
from org.access import Right, deny_unless, has_right
from org.selectors import store_get_for_user

from ..forms.records import ConductSettingsForm
from ..models import ConductSettings, conduct_settings
from ..services.settings import CONDUCT_SETTINGS_FIELDS, conduct_settings_update


@login_required
@require_http_methods(["GET", "POST"])
def settings_edit(request, store_pk):
    """The days to answer a record, the grace minutes of attendance and the monthly thresholds of one store."""
    store = store_get_for_user(request.user, store_pk)
    can_edit = has_right(request.user, Right.MANAGE_STORE, store.pk)
    current = conduct_settings(store)
    form = None
    saved = False
    if request.method == "POST":
        deny_unless(can_edit)
        form = ConductSettingsForm(request.POST)
        if form.is_valid():
            try:
                current = conduct_settings_update(actor=request.user, store=store, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if not is_htmx(request):
                    messages.success(request, _("Discipline settings saved."))
                    return redirect("conduct:settings", store_pk=store.pk)
                form, saved = None, True
    if can_edit and form is None:
        form = ConductSettingsForm(initial={name: getattr(current, name) for name in CONDUCT_SETTINGS_FIELDS})
    refused = bool(form is not None and form.errors)
    return render_page(
        request,
        "conduct/record_settings.html",
        "conduct/partials/record_settings_form.html",
        {
            "store": store,
            "form": form,
            "saved": saved,
            "can_edit": can_edit,
            "values": [
                (ConductSettings._meta.get_field(name).verbose_name, getattr(current, name))
                for name in CONDUCT_SETTINGS_FIELDS
            ],
            "history": history_for(current) if current.pk else [],
        },
        status=400 if refused and not is_htmx(request) else 200,
    )
