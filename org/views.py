from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .access import Right, get_for_user, scope
from .models import Store, User


@login_required
def store_list(request):
    stores = Store.objects.filter(id__in=scope(Store.objects.all(), request.user, field="id").values("id"))
    return render(request, "org/store_list.html", {"stores": stores})


@login_required
def store_detail(request, store_pk):
    store = get_for_user(Store.objects.all(), request.user, right=Right.VIEW, field="id", pk=store_pk)
    return render(request, "org/store_detail.html", {"store": store})


@login_required
def staff_list(request):
    staff = scope(User.objects.select_related("store", "department"), request.user)
    return render(request, "org/staff_list.html", {"staff": staff})
