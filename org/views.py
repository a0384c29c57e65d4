"""Organisation pages: stores, their hours, closure days and departments; staff accounts.

Every page goes through the store wall (org.access and org.selectors): another store's record is
a 404, a right the role lacks a 403. The views parse input and call org.services, nothing more.
"""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import history_for
from core.forms import add_service_errors
from core.htmx import render_page
from core.validators import parse_id

from . import selectors, services
from .access import Right, has_right, require, store_ids
from .forms import (
    BusinessHoursForm,
    ClosureForm,
    DepartmentForm,
    PasswordForm,
    StaffFilterForm,
    StaffForm,
    StoreForm,
)
from .models import User

PAGE_SIZE = 25


def _status(request) -> int:
    """A POST that reaches the form again was refused: 400; a GET is a plain 200."""
    return 400 if request.method == "POST" else 200


# Stores


@login_required
def store_list(request):
    require(request.user, Right.VIEW)
    query = request.GET.get("q", "").strip()
    stores = selectors.stores_with_counts(request.user)
    if query:
        stores = stores.filter(Q(code__icontains=query) | Q(name__icontains=query) | Q(city__icontains=query))
    page = Paginator(stores, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "org/store_list.html",
        "org/partials/store_rows.html",
        {"page": page, "query": query, "can_create_store": has_right(request.user, Right.MANAGE_GROUP)},
    )


@login_required
def store_detail(request, store_pk):
    store = selectors.store_get_for_user(request.user, store_pk)
    user = request.user
    today = timezone.localdate()
    closures = list(store.closures.filter(date__gte=today).order_by("date"))
    past_closures = list(store.closures.filter(date__lt=today).order_by("-date")[:10])
    return render(
        request,
        "org/store_detail.html",
        {
            "store": store,
            "hours": selectors.weekly_hours(store),
            "closures": closures,
            "past_closures": past_closures,
            "departments": selectors.departments_with_counts(store),
            "staff_count": store.staff.filter(is_active=True).count(),
            "history": selectors.store_history(store),
            "can_manage_store": has_right(user, Right.MANAGE_STORE, store.pk),
            "can_manage_staff": has_right(user, Right.MANAGE_STAFF, store.pk),
            "closure_form": ClosureForm(),
        },
    )


@login_required
def store_create(request):
    require(request.user, Right.MANAGE_GROUP)
    form = StoreForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            store = services.store_create(actor=request.user, data=data, group=data.get("group"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Store %(store)s opened with business hours 08:30–18:00.") % {"store": store})
            return redirect("org:store_detail", store_pk=store.pk)
    return render(request, "org/store_form.html", {"form": form}, status=_status(request))


@login_required
def store_edit(request, store_pk):
    store = selectors.store_get_for_user(request.user, store_pk, right=Right.MANAGE_STORE)
    initial = {key: getattr(store, key) for key in services.STORE_FIELDS}
    form = StoreForm(request.POST or None, user=request.user, store=store, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.store_update(actor=request.user, store=store, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("org:store_detail", store_pk=store.pk)
    return render(request, "org/store_form.html", {"form": form, "store": store}, status=_status(request))


@login_required
def business_hours_edit(request, store_pk):
    store = selectors.store_get_for_user(request.user, store_pk, right=Right.MANAGE_STORE)
    form = BusinessHoursForm(request.POST or None, store=store)
    if request.method == "POST" and form.is_valid():
        try:
            services.business_hours_set(actor=request.user, store=store, hours=form.hours())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Business hours saved."))
            return redirect("org:store_detail", store_pk=store.pk)
    return render(request, "org/business_hours_form.html", {"form": form, "store": store}, status=_status(request))


@login_required
def closure_add(request, store_pk):
    store = selectors.store_get_for_user(request.user, store_pk, right=Right.MANAGE_STORE)
    form = ClosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            closure = services.closure_add(
                actor=request.user, store=store, date=form.cleaned_data["date"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The store is closed on %(date)s.") % {"date": closure.date.strftime("%Y-%m-%d")}
            )
            return redirect("org:store_detail", store_pk=store.pk)
    return render(request, "org/closure_form.html", {"form": form, "store": store}, status=_status(request))


@login_required
def closure_remove(request, closure_pk):
    closure = selectors.closure_get_for_user(request.user, closure_pk, right=Right.MANAGE_STORE)
    if request.method == "POST":
        services.closure_remove(actor=request.user, closure=closure)
        messages.success(
            request, _("The closure day %(date)s was removed.") % {"date": closure.date.strftime("%Y-%m-%d")}
        )
        return redirect("org:store_detail", store_pk=closure.store_id)
    return render(request, "org/closure_remove.html", {"closure": closure, "store": closure.store})


# Departments


@login_required
def department_create(request, store_pk):
    store = selectors.store_get_for_user(request.user, store_pk, right=Right.MANAGE_STORE)
    form = DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            department = services.department_create(
                actor=request.user, store=store, kind=form.cleaned_data["kind"], name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Department %(name)s added.") % {"name": department.name})
            return redirect("org:store_detail", store_pk=store.pk)
    return render(request, "org/department_form.html", {"form": form, "store": store}, status=_status(request))


@login_required
def department_edit(request, department_pk):
    department = selectors.department_get_for_user(request.user, department_pk, right=Right.MANAGE_STORE)
    initial = {"kind": department.kind, "name": department.name, "active": department.active}
    form = DepartmentForm(request.POST or None, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.department_update(
                actor=request.user, department=department, kind=data["kind"], name=data["name"], active=data["active"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("org:store_detail", store_pk=department.store_id)
    return render(
        request,
        "org/department_form.html",
        {
            "form": form,
            "store": department.store,
            "department": department,
            "history": history_for(department),
        },
        status=_status(request),
    )


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
    page = Paginator(qs.order_by("store__code", "name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
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
            person = services.staff_create(actor=user, data=form.service_data(), password=form.cleaned_data["password"])
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
    return render(request, "org/staff_form.html", {"form": form, "creating": True}, status=_status(request))


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
            services.staff_update(actor=request.user, staff=person, data=form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("org:staff_detail", staff_pk=person.pk)
    return render(request, "org/staff_form.html", {"form": form, "person": person}, status=_status(request))


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
    return render(request, "org/staff_password.html", {"form": form, "person": person}, status=_status(request))
