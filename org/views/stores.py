"""Organisation pages: stores, their hours, closure days and departments.

Every page goes through the store wall (org.access and org.selectors): another store's record is
a 404, a right the role lacks a 403. The views parse input and call org.services, nothing more.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import history_for
from core.forms import add_service_errors, form_status
from core.htmx import render_page
from core.pagination import list_page

from .. import selectors
from ..access import Right, has_right, require
from ..forms import BusinessHoursForm, ClosureForm, DepartmentForm, StoreForm
from ..services import departments as department_services
from ..services import stores as services

PAGE_SIZE = 25


# Stores


@login_required
def store_list(request):
    require(request.user, Right.VIEW)
    query = request.GET.get("q", "").strip()
    stores = selectors.stores_with_counts(request.user)
    if query:
        stores = stores.filter(Q(code__icontains=query) | Q(name__icontains=query) | Q(city__icontains=query))
    page = list_page(request, stores, PAGE_SIZE)
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
        try:
            store = services.store_create(
                actor=request.user, group=form.cleaned_data.get("group"), **form.service_data()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Store %(store)s opened with business hours 08:30–18:00.") % {"store": store})
            return redirect("org:store_detail", store_pk=store.pk)
    return render(request, "org/store_form.html", {"form": form}, status=form_status(request))


@login_required
def store_edit(request, store_pk):
    store = selectors.store_get_for_user(request.user, store_pk, right=Right.MANAGE_STORE)
    initial = {key: getattr(store, key) for key in services.STORE_FIELDS}
    form = StoreForm(request.POST or None, user=request.user, store=store, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.store_update(actor=request.user, store=store, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("org:store_detail", store_pk=store.pk)
    return render(request, "org/store_form.html", {"form": form, "store": store}, status=form_status(request))


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
    return render(request, "org/business_hours_form.html", {"form": form, "store": store}, status=form_status(request))


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
    return render(request, "org/closure_form.html", {"form": form, "store": store}, status=form_status(request))


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
            department = department_services.department_create(
                actor=request.user, store=store, kind=form.cleaned_data["kind"], name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Department %(name)s added.") % {"name": department.name})
            return redirect("org:store_detail", store_pk=store.pk)
    return render(request, "org/department_form.html", {"form": form, "store": store}, status=form_status(request))


@login_required
def department_edit(request, department_pk):
    department = selectors.department_get_for_user(request.user, department_pk, right=Right.MANAGE_STORE)
    initial = {"kind": department.kind, "name": department.name, "active": department.active}
    form = DepartmentForm(request.POST or None, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            department_services.department_update(
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
        status=form_status(request),
    )
