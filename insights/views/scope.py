"""The filters every figures page shares: store, period, date, department and person, behind the wall."""

from django.http import Http404
from django.utils import timezone

from org.access import Right, require, role_of, stores_for
from org.choices import Role
from org.models import Department, User

from ..figures import base
from ..forms import TelephoneFilterForm

PAGE_SIZE = 50
FILTER_FIELDS = ("store", "period", "date", "department", "person")


def figure_filters(request):
    """The filter form bound to the request (with defaults) and the scope it selects, behind the wall.

    A store, department or person outside the person's stores is a 404. Staff see their own
    figures unless they ask for everyone (the store totals); they cannot pick a colleague.
    """
    user = request.user
    require(user, Right.VIEW)
    stores = list(stores_for(user))
    wall = frozenset(s.pk for s in stores)
    departments = list(
        Department.objects.filter(store_id__in=wall).select_related("store").order_by("store__code", "name")
    )
    is_staff = role_of(user) == Role.STAFF
    people_qs = User.objects.filter(pk=user.pk) if is_staff else User.objects.filter(store_id__in=wall, is_active=True)
    people = list(people_qs.order_by("name", "pk"))
    data = {
        "period": request.GET.get("period") or base.WEEK,
        "date": request.GET.get("date") or timezone.localdate().isoformat(),
        "store": request.GET.get("store", ""),
        "department": request.GET.get("department", ""),
        "person": request.GET.get("person", str(user.pk) if is_staff else ""),
    }
    form = TelephoneFilterForm(data, stores=stores, departments=departments, people=people)
    form.is_valid()
    if any(name in form.errors for name in ("store", "department", "person")):
        raise Http404
    cleaned = form.cleaned_data
    store_id = cleaned.get("store")
    period = base.period_containing(cleaned.get("period") or base.WEEK, cleaned.get("date") or timezone.localdate())
    scope = base.FigureScope(
        store_ids=frozenset({store_id}) if store_id else wall,
        period=period,
        department_id=cleaned.get("department"),
        person_id=cleaned.get("person"),
    )
    query = {name: data[name] for name in FILTER_FIELDS if data[name]}
    query.update({"period": period.kind, "date": period.first.isoformat()})
    if is_staff and not data["person"]:
        query["person"] = ""
    return form, scope, query, {p.pk: p.name or p.username for p in people}, {d.pk: d.name for d in departments}
