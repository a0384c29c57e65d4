from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import add_service_errors
from core.htmx import is_htmx, render_page
from org.access import Right, deny_unless, has_right, require
from org.selectors import store_get_for_user

from . import selectors, services
from .forms import PromiseRuleForm
from .models import PromiseRule


@login_required
def bell(request):
    """The bell in the top bar: unread count and the latest notifications (polled by htmx)."""
    return render(
        request,
        "promises/partials/bell.html",
        {
            "unread": selectors.unread_count(request.user),
            "notifications": selectors.recent_notifications(request.user),
            "watch": selectors.watch_counts(request.user),
        },
    )


@login_required
@require_POST
def mark_read(request):
    ids = request.POST.getlist("id") or None
    services.notifications_mark_read(user=request.user, ids=ids)
    return bell(request)


@login_required
def my_day(request):
    """Today's promises and what carries over to tomorrow (S1.D2: today's work finished today)."""
    return render(request, "promises/my_day.html", {"day": selectors.my_day(request.user)})


@login_required
def promise_detail(request, promise_pk):
    promise = selectors.promise_get_for_user(request.user, promise_pk)
    return render(
        request,
        "promises/promise_detail.html",
        {
            "promise": promise,
            "events": promise.events.select_related("actor"),
            "can_act": selectors.promise_may_act(request.user, promise),
        },
    )


@login_required
@require_POST
def promise_action(request, promise_pk, action):
    promise = selectors.promise_get_for_user(request.user, promise_pk)
    deny_unless(selectors.promise_may_act(request.user, promise))
    reason = request.POST.get("reason", "")
    try:
        if action == "keep":
            services.promise_keep(promise=promise, actor=request.user)
        elif action == "pause":
            services.promise_pause(promise=promise, actor=request.user, reason=reason)
        elif action == "resume":
            services.promise_resume(promise=promise, actor=request.user)
        elif action == "cancel":
            services.promise_cancel(promise=promise, actor=request.user, reason=reason)
        else:
            raise PermissionDenied
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Saved."))
    return redirect("promises:promise_detail", promise.pk)


# ---------------------------------------------------------------------------------------------
# Promise rules: everyone of a store reads which rule is in force; its managers set the store's own
# rules, a group admin also the defaults for every store.


@login_required
def rule_list(request, store_pk):
    """Per kind of promise: the rule in force in the store, its own or the default."""
    store = store_get_for_user(request.user, store_pk)
    return render(
        request,
        "promises/rule_list.html",
        {
            "store": store,
            "rows": selectors.rules_in_force(store.pk),
            "can_edit": has_right(request.user, Right.MANAGE_STORE, store.pk),
            "can_edit_defaults": selectors.may_edit_default_rules(request.user),
            "history": selectors.rule_history(store.pk),
        },
    )


@login_required
def default_rule_list(request):
    """The defaults every store follows unless it has its own rule."""
    require(request.user, Right.VIEW)
    return render(
        request,
        "promises/rule_list.html",
        {
            "store": None,
            "rows": selectors.rules_in_force(None),
            "can_edit": False,
            "can_edit_defaults": selectors.may_edit_default_rules(request.user),
            "history": selectors.rule_history(None),
        },
    )


def _rule_list_url(store) -> str:
    return reverse("promises:rule_list", args=[store.pk]) if store else reverse("promises:default_rule_list")


def _rule_form(request, store, kind):
    row = next((r for r in selectors.rules_in_force(store.pk if store else None) if r["kind"] == kind), None)
    if row is None:
        raise Http404
    rule = row["in_force"]
    initial = {name: getattr(rule, name) for name in services.PROMISE_RULE_FIELDS}
    form = PromiseRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.promise_rule_save(actor=request.user, store=store, kind=kind, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Rule saved: %(kind)s.") % {"kind": row["label"]})
            if is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = _rule_list_url(store)
                return response
            return redirect(_rule_list_url(store))
    refused = request.method == "POST" and not is_htmx(request)
    return render_page(
        request,
        "promises/rule_form.html",
        "promises/partials/rule_form.html",
        {"store": store, "row": row, "form": form, "list_url": _rule_list_url(store)},
        status=400 if refused else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, store_pk, kind):
    """Create or change the store's own rule for one kind of promise."""
    store = store_get_for_user(request.user, store_pk, right=Right.MANAGE_STORE)
    return _rule_form(request, store, kind)


@login_required
@require_http_methods(["GET", "POST"])
def default_rule_edit(request, kind):
    """Create or change the default rule for one kind of promise (every store without its own)."""
    deny_unless(selectors.may_edit_default_rules(request.user))
    return _rule_form(request, None, kind)


def _rule_delete(request, rule: PromiseRule, store):
    label = selectors.promise_kind_label(rule.kind)
    if request.method == "POST":
        services.promise_rule_delete(actor=request.user, rule=rule)
        if store:
            messages.success(request, _("The store's own rule was removed; the default is in force again."))
        else:
            messages.success(request, _("The default rule was removed; the built-in values are in force again."))
        return redirect(_rule_list_url(store))
    return render(
        request,
        "promises/rule_delete.html",
        {"store": store, "rule": rule, "label": label, "list_url": _rule_list_url(store)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_delete(request, store_pk, kind):
    """Remove the store's own rule (confirmation on GET, the removal on POST)."""
    store = store_get_for_user(request.user, store_pk, right=Right.MANAGE_STORE)
    return _rule_delete(request, selectors.promise_rule_get_for_user(request.user, store, kind), store)


@login_required
@require_http_methods(["GET", "POST"])
def default_rule_delete(request, kind):
    """Remove a default rule: the built-in values hold again for stores without their own rule."""
    return _rule_delete(request, selectors.promise_rule_get_for_user(request.user, None, kind), None)
