import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.audit import history_for
from core.models import HistoryAction
from org import selectors
from org.choices import Role
from org.models import User
from org.services import staff as services

STRONG = "Lounge-Tea-2026!"


def staff_data(world, **overrides):
    data = {
        "username": "newhire",
        "name": "王五",
        "employee_no": "E1099",
        "gender": "male",
        "position": "客服专员",
        "role": Role.STAFF,
        "store": world.a.store,
        "department": world.a.cs,
        "supervised_departments": [],
        "extra_stores": [],
        "extension": "8099",
        "badge_no": "B-99",
        "email": "",
    }
    return data | overrides


# Staff


def test_manager_opens_account_with_history_and_no_password_in_it(world):
    person = services.staff_create(actor=world.a.manager, **staff_data(world), password=STRONG)
    assert person.check_password(STRONG)
    assert person.group == world.group and person.store == world.a.store
    entry = history_for(person)[0]
    assert entry.action == HistoryAction.CREATE and entry.actor == world.a.manager
    assert entry.changes["employee_no"] == ["", "E1099"]
    text = str(entry.changes)
    assert STRONG not in text and person.password not in text and "password" not in entry.changes


def test_weak_password_is_refused_with_the_rule(world):
    for weak in ["12345678", "password", "abc", "newhire1"]:
        with pytest.raises(ValidationError) as exc:
            services.staff_create(actor=world.a.manager, **staff_data(world), password=weak)
        assert "password" in exc.value.message_dict, weak
    assert not User.objects.filter(username="newhire").exists()


def test_duplicate_employee_number_username_and_extension_are_refused(world):
    data = staff_data(world, username="STAFF1", employee_no="E1003", extension="8011")
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=world.a.manager, **data, password=STRONG)
    errors = exc.value.message_dict
    assert set(errors) >= {"username", "employee_no", "extension"}
    assert "客服1" in errors["employee_no"][0]
    # the same extension in another store is fine
    services.staff_create(
        actor=world.b.manager,
        **staff_data(world, store=world.b.store, department=world.b.cs, extension="8011"),
        password=STRONG,
    )


def test_employee_number_may_not_be_another_sign_in_name(world):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=world.a.manager, **staff_data(world, employee_no="staff1"), password=STRONG)
    assert "employee_no" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=world.a.manager, **staff_data(world, username="E2003"), password=STRONG)
    assert "username" in exc.value.message_dict


def test_department_must_be_of_the_persons_store(world):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=world.admin, **staff_data(world, department=world.b.cs), password=STRONG)
    assert "department" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.staff_create(
            actor=world.admin,
            **staff_data(world, role=Role.SUPERVISOR, supervised_departments=[world.a.cs, world.b.lounge]),
            password=STRONG,
        )
    assert "客户休息室" in exc.value.message_dict["supervised_departments"][0]


def test_store_manager_cannot_make_group_admins_or_reach_other_stores(world):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=world.a.manager, **staff_data(world, role=Role.GROUP_ADMIN), password=STRONG)
    assert "role" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.staff_create(
            actor=world.a.manager,
            **staff_data(world, role=Role.STORE_MANAGER, extra_stores=[world.b.store]),
            password=STRONG,
        )
    assert "S002" in exc.value.message_dict["extra_stores"][0]
    with pytest.raises(ValidationError) as exc:
        services.staff_create(
            actor=world.a.manager, **staff_data(world, store=world.b.store, department=None), password=STRONG
        )
    assert "store" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.staff_create(actor=world.a.supervisor, **staff_data(world), password=STRONG)
    with pytest.raises(PermissionDenied):
        services.staff_update(actor=world.a.manager, staff=world.admin, name="x")
    with pytest.raises(PermissionDenied):
        services.staff_update(actor=world.b.manager, staff=world.a.staff, name="x")


def test_extra_stores_and_supervised_departments_only_for_their_roles(world):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(
            actor=world.admin,
            **staff_data(world, extra_stores=[world.b.store], supervised_departments=[world.a.cs]),
            password=STRONG,
        )
    assert set(exc.value.message_dict) >= {"extra_stores", "supervised_departments"}
    auditor = services.staff_create(
        actor=world.admin,
        **staff_data(world, role=Role.AUDITOR, department=None, extra_stores=[world.b.store]),
        password=STRONG,
    )
    assert list(auditor.extra_stores.all()) == [world.b.store]


def test_group_admin_without_store_belongs_to_the_group(world):
    person = services.staff_create(
        actor=world.admin,
        **staff_data(world, role=Role.GROUP_ADMIN, store=None, department=None, extension=""),
        password=STRONG,
    )
    assert person.store is None and person.group == world.group
    with pytest.raises(ValidationError) as exc:
        services.staff_create(
            actor=world.admin,
            **staff_data(world, username="x2", employee_no="E9", store=None, department=None),
            password=STRONG,
        )
    assert "store" in exc.value.message_dict


def test_staff_update_keeps_history_and_further_stores_outside_the_managers_wall(world):
    world.a.auditor.extra_stores.add(world.b.store)
    services.staff_update(
        actor=world.a.manager,
        staff=world.a.auditor,
        position="稽核员",
        department=world.a.lounge,
        extra_stores=[],
    )
    world.a.auditor.refresh_from_db()
    assert world.a.auditor.position == "稽核员"
    assert list(world.a.auditor.extra_stores.all()) == [world.b.store]  # S002 is not store A's manager's to drop
    entry = history_for(world.a.auditor)[0]
    assert entry.changes == {"position": ["", "稽核员"], "department": ["", "客户休息室"]}


def test_nobody_changes_their_own_role(world):
    with pytest.raises(ValidationError) as exc:
        services.staff_update(actor=world.a.manager, staff=world.a.manager, role=Role.STAFF)
    assert "role" in exc.value.message_dict


def test_store_manager_can_change_roles_up_to_their_own(world):
    services.staff_update(actor=world.a.manager, staff=world.a.staff, role=Role.SUPERVISOR)
    world.a.staff.refresh_from_db()
    assert world.a.staff.role == Role.SUPERVISOR
    with pytest.raises(ValidationError):
        services.staff_update(actor=world.a.manager, staff=world.a.staff, role=Role.GROUP_ADMIN)


def test_deactivate_and_reactivate_but_not_yourself(world):
    with pytest.raises(ValidationError) as exc:
        services.staff_set_active(actor=world.a.manager, staff=world.a.manager, active=False)
    assert "active" in exc.value.message_dict
    services.staff_set_active(actor=world.a.manager, staff=world.a.staff, active=False)
    world.a.staff.refresh_from_db()
    assert not world.a.staff.is_active
    services.staff_set_active(actor=world.a.manager, staff=world.a.staff, active=True)
    changes = [e.changes["is_active"] for e in history_for(world.a.staff)]
    assert changes == [[False, True], [True, False]]
    with pytest.raises(PermissionDenied):
        services.staff_set_active(actor=world.b.manager, staff=world.a.staff, active=False)
    with pytest.raises(PermissionDenied):
        services.staff_set_active(actor=world.a.auditor, staff=world.a.staff, active=False)


def test_set_password_validates_and_never_logs_it(world):
    with pytest.raises(ValidationError) as exc:
        services.staff_set_password(actor=world.a.manager, staff=world.a.staff, password="staff1")
    assert "password" in exc.value.message_dict
    services.staff_set_password(actor=world.a.manager, staff=world.a.staff, password=STRONG)
    world.a.staff.refresh_from_db()
    assert world.a.staff.check_password(STRONG)
    entry = history_for(world.a.staff)[0]
    assert STRONG not in str(entry.changes) and world.a.staff.password not in str(entry.changes)
    assert entry.changes["password"][1] == services.PASSWORD_PLACEHOLDER


def test_admin_site_accounts_are_managed_only_by_superusers(world):
    world.a.staff.is_staff = True
    world.a.staff.save()
    assert not selectors.may_manage_person(world.a.manager, world.a.staff)
    assert not selectors.may_manage_person(world.admin, world.a.staff)
    with pytest.raises(PermissionDenied):
        services.staff_set_password(actor=world.admin, staff=world.a.staff, password=STRONG)
    root = User.objects.create_superuser("root", "root@example.com", STRONG, name="root")
    assert selectors.may_manage_person(root, world.a.staff)
