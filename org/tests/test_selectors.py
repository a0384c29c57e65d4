import pytest

from org import selectors
from org.choices import Role
from org.models import Department

# Selectors


def test_directory_and_openable_records_follow_the_role(world):
    directory_a = set(selectors.staff_directory(world.a.staff).values_list("username", flat=True))
    assert directory_a == {"manager1", "supervisor1", "staff1", "auditor1"}
    assert "admin" in set(selectors.staff_directory(world.admin).values_list("username", flat=True))
    assert selectors.openable_staff_ids(world.a.staff) == {world.a.staff.pk}
    assert selectors.openable_staff_ids(world.a.supervisor) == {world.a.supervisor.pk, world.a.staff.pk}
    assert selectors.openable_staff_ids(world.a.auditor) is None
    assert selectors.assignable_roles(world.a.manager) == [
        Role.STORE_MANAGER,
        Role.SUPERVISOR,
        Role.STAFF,
        Role.AUDITOR,
    ]
    assert selectors.assignable_roles(world.a.supervisor) == []
    assert Role.GROUP_ADMIN in selectors.assignable_roles(world.admin)


def test_department_of_store_b_is_invisible_to_store_a(world):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.department_get_for_user(world.a.manager, world.b.cs.pk)
    assert selectors.department_get_for_user(world.a.manager, world.a.cs.pk) == Department.objects.get(pk=world.a.cs.pk)
