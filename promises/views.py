from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from org.access import Right, get_for_user, has_right, role_of
from org.choices import Role

from . import selectors, services
from .models import Promise


def _promise(request, pk) -> Promise:
    return get_for_user(
        Promise.objects.select_related("store", "owner", "owner_department", "created_by"), request.user, pk=pk
    )


def can_act(user, promise: Promise) -> bool:
    """The owner, a member of the owning department, or a supervisor or manager of the store."""
    if not has_right(user, Right.EDIT, promise.store_id):
        return False
    if promise.owner_id == user.pk:
        return True
    if promise.owner_id is None and promise.owner_department_id and promise.owner_department_id == user.department_id:
        return True
    return role_of(user) in (Role.SUPERVISOR, Role.STORE_MANAGER, Role.GROUP_ADMIN)


@login_required
def bell(request):
    """The bell in the top bar: unread count and the latest notifications (polled by htmx)."""
    return render(
        request,
        "promises/partials/bell.html",
        {
            "unread": selectors.unread_count(request.user),
            "notifications": selectors.recent_notifications(request.user),
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
    promise = _promise(request, promise_pk)
    return render(
        request,
        "promises/promise_detail.html",
        {
            "promise": promise,
            "events": promise.events.select_related("actor"),
            "can_act": can_act(request.user, promise),
        },
    )


@login_required
@require_POST
def promise_action(request, promise_pk, action):
    promise = _promise(request, promise_pk)
    if not can_act(request.user, promise):
        raise PermissionDenied
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
