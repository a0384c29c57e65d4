"""Staff pages: the directory, one person's page, opening, editing, deactivating an account, passwords.

Every page goes through the store wall (org.access and org.selectors): another store's person is
a 404, a right the role lacks a 403. The views parse input and call org.services, nothing more.
"""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.audit import history_for
from core.forms import add_service_errors, form_status
from core.htmx import render_page
from core.pagination import list_page
from core.validators import parse_id

from .. import selectors
from ..access import Right, has_right, may_see_person, require, store_ids
from ..forms import PasswordForm, StaffFilterForm, StaffForm
from ..models import User
from ..services import staff as services

PAGE_SIZE = 25


# Staff


@login_required
def staff_list(request):
    user = request.user
    require(user, Right.VIEW)
    form = StaffFilterForm(request.GET or None, user=user)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    qs = selectors.staff_directory(user).select_related("store", "department")
    if data.get("store"):
        qs = qs.filter(store=data["store"])
    if data.get("department"):
        qs = qs.filter(department=data["department"])
    if data.get("role"):
        qs = qs.filter(role=data["role"])
    active = data.get("active") or "yes"
    if active != "all":
        qs = qs.filter(is_active=active == "yes")
    query = (data.get("q") or "").strip()
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(employee_no__icontains=query) | Q(username__icontains=query))
    page = list_page(request, qs.order_by("store__code", "name", "id"), PAGE_SIZE)
    openable = selectors.openable_staff_ids(user)
    for person in page:
        person.openable = openable is None or person.pk in openable
    return render_page(
        request,
        "org/staff_list.html",
        "org/partials/staff_rows.html",
        {
            "page": page,
            "form": form,
            "multi_store": len(store_ids(user)) > 1,
            "can_create_staff": has_right(user, Right.MANAGE_STAFF),
        },
    )


@login_required
def staff_detail(request, staff_pk):
    person = selectors.staff_get_for_user(request.user, staff_pk)
    may_manage = selectors.may_manage_person(request.user, person)
    return render(
        request,
        "org/staff_detail.html",
        {
            "person": person,
            "supervised": person.supervised_departments.select_related("store"),
            "extra_stores": person.extra_stores.all(),
            "history": history_for(person),
            "may_manage": may_manage,
            "is_self": person.pk == request.user.pk,
            # S1, S6: the page of their record (insights) opens to those who may see it, and is linked only for them
            "may_see_record": person.store_id is not None
            and may_see_person(request.user, store_id=person.store_id, person_id=person.pk),
        },
    )


@login_required
def staff_create(request):
    user = request.user
    require(user, Right.MANAGE_STAFF)
    initial = {}
    store_param = parse_id(request.GET.get("store", ""))
    if store_param is not None:
        # a link from a store's page: that store must be behind the person's wall
        require(user, Right.MANAGE_STAFF, store_param)
        initial["store"] = store_param
    form = StaffForm(request.POST or None, user=user, creating=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.staff_create(actor=user, password=form.cleaned_data["password"], **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Account %(username)s opened for %(name)s.")
                % {
                    "username": person.username,
                    "name": person.name,
                },
            )
            return redirect("org:staff_detail", staff_pk=person.pk)
    return render(request, "org/staff_form.html", {"form": form, "creating": True}, status=form_status(request))


@login_required
def staff_edit(request, staff_pk):
    person = selectors.staff_get_for_user(request.user, staff_pk, right=Right.MANAGE_STAFF)
    initial = {key: getattr(person, key) for key in services.STAFF_FIELDS if key != "is_active"}
    initial["employee_no"] = person.employee_no or ""
    initial["supervised_departments"] = list(person.supervised_departments.all())
    initial["extra_stores"] = list(person.extra_stores.all())
    form = StaffForm(request.POST or None, user=request.user, person=person, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(actor=request.user, staff=person, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("org:staff_detail", staff_pk=person.pk)
    return render(request, "org/staff_form.html", {"form": form, "person": person}, status=form_status(request))


@login_required
def staff_set_active(request, staff_pk):
    """Deactivate or reactivate an account (confirmation page on GET, the change on POST)."""
    person = selectors.staff_get_for_user(request.user, staff_pk, right=Right.MANAGE_STAFF)
    error = ""
    if request.method == "POST":
        choice = request.POST.get("active")
        try:
            if choice not in ("0", "1"):
                raise ValidationError(_("Choose whether to deactivate or to reactivate the account."))
            active = choice == "1"
            services.staff_set_active(actor=request.user, staff=person, active=active)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if active:
                messages.success(request, _("%(name)s can sign in again.") % {"name": person.name})
            else:
                messages.success(
                    request, _("%(name)s can no longer sign in; their records stay.") % {"name": person.name}
                )
            return redirect("org:staff_detail", staff_pk=person.pk)
    return render(
        request,
        "org/staff_active.html",
        {"person": person, "error": error, "is_self": person.pk == request.user.pk},
        status=400 if error else 200,
    )


@login_required
def staff_set_password(request, staff_pk):
    person = selectors.staff_get_for_user(request.user, staff_pk, right=Right.MANAGE_STAFF)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_set_password(actor=request.user, staff=person, password=form.cleaned_data["password"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if person.pk == request.user.pk:
                # a person who sets their own password stays signed in
                update_session_auth_hash(request, User.objects.get(pk=person.pk))
            messages.success(request, _("New password set for %(name)s.") % {"name": person.name})
            return redirect("org:staff_detail", staff_pk=person.pk)
    return render(request, "org/staff_password.html", {"form": form, "person": person}, status=form_status(request))
