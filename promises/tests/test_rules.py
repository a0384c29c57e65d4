"""Promise rules: a store's own rule beats the default; managers set their store's, a group admin the defaults.

The three people: the store's manager changes the store's rules, colleagues read which rule is in
force, a person of another store gets a 404.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from core.models import HistoryAction, HistoryEntry
from org.models import DealerGroup
from promises import selectors, services
from promises.models import PromiseRule
from promises.selectors import rule_for, rules_in_force
from promises.services import promise_rule_delete, promise_rule_save
from tests.factories import make_store

KIND = "message_callback"
GOOD = {"remind_at_percent": 50, "escalate_supervisor_after_minutes": 10, "escalate_manager_after_minutes": 30}
GOOD_POST = {key: str(value) for key, value in GOOD.items()}


def save(actor, store, kind=KIND, **changes):
    return promise_rule_save(actor=actor, store=store, kind=kind, **(GOOD | changes))


def list_url(store_world) -> str:
    return reverse("promises:rule_list", kwargs={"store_pk": store_world.store.pk})


def edit_url(store_world, kind=KIND) -> str:
    return reverse("promises:rule_edit", kwargs={"store_pk": store_world.store.pk, "kind": kind})


def delete_url(store_world, kind=KIND) -> str:
    return reverse("promises:rule_delete", kwargs={"store_pk": store_world.store.pk, "kind": kind})


def rule_history():
    return HistoryEntry.objects.filter(content_type__model="promiserule").order_by("id")


# Service


def test_store_rule_overrides_the_default_and_only_for_that_store(world):
    save(world.admin, None, remind_at_percent=70)
    save(world.a.manager, world.a.store, remind_at_percent=40)
    assert rule_for(world.a.store.pk, KIND).remind_at_percent == 40
    assert rule_for(world.b.store.pk, KIND).remind_at_percent == 70
    rows = {r["kind"]: r for r in rules_in_force(world.a.store.pk)}
    assert rows[KIND]["source"] == "store" and rows[KIND]["fallback"].remind_at_percent == 70
    assert rows["missed_callback"]["source"] == "built_in"
    assert rows["missed_callback"]["in_force"].remind_at_percent == 80


def test_every_kind_the_modules_make_has_a_label_and_a_rule():
    """The kinds named by phone, complaints, the lounge and checks all appear on the rules page with their rule."""
    from promises.choices import PromiseKind

    assert set(selectors.PROMISE_KINDS) == set(PromiseKind)
    for kind, (label, rule_id) in selectors.PROMISE_KINDS.items():
        assert str(label) != kind.value and rule_id.startswith("S")


def test_save_creates_then_updates_with_history(world):
    rule = save(world.a.manager, world.a.store)
    rule = save(world.a.manager, world.a.store, remind_at_percent=60)
    assert PromiseRule.objects.filter(store=world.a.store, kind=KIND).count() == 1
    created, changed = rule_history()
    assert created.action == HistoryAction.CREATE and created.store_id == world.a.store.pk
    assert changed.action == HistoryAction.UPDATE and changed.actor == world.a.manager
    assert changed.changes == {"remind_at_percent": ["50", "60"]}
    assert changed.object_id == rule.pk


def test_delete_returns_to_the_default_and_is_recorded(world):
    rule = save(world.a.manager, world.a.store, remind_at_percent=30)
    promise_rule_delete(actor=world.a.manager, rule=rule)
    assert rule_for(world.a.store.pk, KIND).remind_at_percent == 80
    entry = rule_history().last()
    assert entry.action == HistoryAction.DELETE and entry.changes["remind_at_percent"] == ["30", ""]


def test_new_promises_follow_the_store_rule(world):
    save(world.a.manager, world.a.store, remind_at_percent=50)
    start = timezone.now()
    promise = services.promise_make(
        store=world.a.store,
        kind=KIND,
        rule_id="S2.3",
        title="回电",
        owner=world.a.staff,
        due_at=start + timedelta(hours=2),
        now=start,
    )
    assert promise.remind_at == start + timedelta(hours=1)
    assert promise.next_escalation_at == promise.due_at + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"remind_at_percent": 0}, "remind_at_percent"),
        ({"remind_at_percent": 100}, "remind_at_percent"),
        ({"escalate_supervisor_after_minutes": -1}, "escalate_supervisor_after_minutes"),
        ({"escalate_manager_after_minutes": -1}, "escalate_manager_after_minutes"),
        ({"escalate_manager_after_minutes": 20000}, "escalate_manager_after_minutes"),
        (
            {"escalate_supervisor_after_minutes": 30, "escalate_manager_after_minutes": 30},
            "escalate_manager_after_minutes",
        ),
        (
            {"escalate_supervisor_after_minutes": 60, "escalate_manager_after_minutes": 30},
            "escalate_manager_after_minutes",
        ),
    ],
)
def test_bad_values_are_refused_naming_the_field_and_nothing_is_saved(world, changes, field):
    with pytest.raises(ValidationError) as caught:
        save(world.a.manager, world.a.store, **changes)
    assert list(caught.value.message_dict) == [field]
    assert not PromiseRule.objects.exists() and not rule_history().exists()


def test_messages_name_the_rule_in_plain_words(world):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        save(world.a.manager, world.a.store, remind_at_percent=100, escalate_manager_after_minutes=5)
    errors = caught.value.message_dict
    assert errors["remind_at_percent"] == ["The reminder must come at 1 to 99 percent of the promised time."]
    assert errors["escalate_manager_after_minutes"] == [
        "The store manager must be told later than the supervisor: enter more than 10 minutes."
    ]


def test_unknown_kind_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        save(world.a.manager, world.a.store, kind="no_such_kind")
    assert "kind" in caught.value.message_dict


@pytest.mark.parametrize("who", ["supervisor", "staff", "auditor"])
def test_only_managers_set_a_stores_rule(world, who):
    with pytest.raises(PermissionDenied):
        save(getattr(world.a, who), world.a.store)


def test_manager_of_another_store_may_not_set_or_remove_its_rule(world):
    with pytest.raises(PermissionDenied):
        save(world.b.manager, world.a.store)
    rule = save(world.a.manager, world.a.store)
    with pytest.raises(PermissionDenied):
        promise_rule_delete(actor=world.b.manager, rule=rule)


def test_only_a_group_admin_sets_the_defaults(world):
    with pytest.raises(PermissionDenied):
        save(world.a.manager, None)
    rule = save(world.admin, None)
    assert rule.store_id is None and rule_history().get().store_id is None


def test_with_another_groups_stores_a_group_admin_may_not_set_the_defaults(world):
    """The defaults hold for every store here: one group must not set them for another."""
    make_store(DealerGroup.objects.create(name="另一集团"), "T001", "另一店")
    assert not selectors.may_edit_default_rules(world.admin)
    with pytest.raises(PermissionDenied):
        save(world.admin, None)


# Pages


def test_rules_page_shows_which_rule_is_in_force(client, world):
    save(world.admin, None, remind_at_percent=70)
    save(world.a.manager, world.a.store, kind="missed_callback", remind_at_percent=40)
    save(world.b.manager, world.b.store, kind="complaint_reply", remind_at_percent=33)
    client.force_login(world.a.staff)
    response = client.get(list_url(world.a))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-kind="{KIND}" data-source="default"' in body
    assert 'data-kind="missed_callback" data-source="store"' in body
    assert 'data-kind="complaint_reply" data-source="built_in"' in body  # store B's rule is not A's
    assert 'data-testid="rule-edit"' not in body  # staff read only


def test_manager_sets_changes_and_removes_the_stores_rule(client, world):
    client.force_login(world.a.manager)
    body = client.get(list_url(world.a)).content.decode()
    assert edit_url(world.a) in body
    response = client.get(edit_url(world.a))
    assert response.status_code == 200 and 'value="80"' in response.content.decode()  # starts from the rule in force
    response = client.post(edit_url(world.a), GOOD_POST)
    assert response.status_code == 302 and response.url == list_url(world.a)
    assert PromiseRule.objects.get(store=world.a.store, kind=KIND).remind_at_percent == 50
    body = client.get(list_url(world.a)).content.decode()
    assert f'data-kind="{KIND}" data-source="store"' in body and delete_url(world.a) in body
    assert world.a.manager.name in body  # the history names who changed it
    assert client.get(delete_url(world.a)).status_code == 200
    assert client.post(delete_url(world.a)).status_code == 302
    assert not PromiseRule.objects.filter(store=world.a.store).exists()


def test_htmx_save_redirects_to_the_list(client, world):
    client.force_login(world.a.manager)
    response = client.post(edit_url(world.a), GOOD_POST, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == list_url(world.a)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"remind_at_percent": "100"}, "remind_at_percent"),
        ({"remind_at_percent": "abc"}, "remind_at_percent"),
        ({"escalate_supervisor_after_minutes": "-5"}, "escalate_supervisor_after_minutes"),
        ({"escalate_manager_after_minutes": "5"}, "escalate_manager_after_minutes"),
        ({"escalate_manager_after_minutes": ""}, "escalate_manager_after_minutes"),
    ],
)
def test_bad_input_shows_the_error_next_to_the_field_and_saves_nothing(client, world, data, field):
    client.force_login(world.a.manager)
    response = client.post(edit_url(world.a), GOOD_POST | data)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'data-field="{field}"' in body and 'data-testid="form-error"' in body
    response = client.post(edit_url(world.a), GOOD_POST | data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f'data-field="{field}"' in response.content.decode()
    assert "<html" not in response.content.decode()
    assert not PromiseRule.objects.exists()


def test_bad_input_message_is_shown_in_english(client, world):
    world.a.manager.language = "en"  # the person's own language decides the page's
    world.a.manager.save(update_fields=["language"])
    client.force_login(world.a.manager)
    response = client.post(edit_url(world.a), GOOD_POST | {"remind_at_percent": "0"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "The reminder must come at 1 to 99 percent of the promised time." in response.content.decode()


def test_unknown_kind_is_a_404(client, world):
    client.force_login(world.a.manager)
    assert client.get(edit_url(world.a, kind="nonsense")).status_code == 404


@pytest.mark.parametrize("who", ["supervisor", "staff", "auditor"])
def test_colleagues_read_but_may_not_change_the_rules(client, world, who):
    save(world.a.manager, world.a.store)
    client.force_login(getattr(world.a, who))
    assert client.get(list_url(world.a)).status_code == 200
    assert client.get(edit_url(world.a)).status_code == 403
    assert client.post(edit_url(world.a), GOOD_POST | {"remind_at_percent": "20"}).status_code == 403
    assert client.post(delete_url(world.a)).status_code == 403
    assert PromiseRule.objects.get(store=world.a.store).remind_at_percent == 50


@pytest.mark.parametrize("who", ["manager", "supervisor", "staff"])
def test_another_stores_rules_are_a_404(client, world, who):
    save(world.a.manager, world.a.store)
    client.force_login(getattr(world.b, who))
    assert client.get(list_url(world.a)).status_code == 404
    assert client.get(edit_url(world.a)).status_code == 404
    assert client.post(edit_url(world.a), GOOD_POST | {"remind_at_percent": "20"}).status_code == 404
    assert client.post(delete_url(world.a)).status_code == 404
    assert PromiseRule.objects.get(store=world.a.store).remind_at_percent == 50


def test_group_admin_edits_a_stores_rule_and_the_defaults(client, world):
    client.force_login(world.admin)
    assert client.post(edit_url(world.b), GOOD_POST).status_code == 302
    assert reverse("promises:default_rule_list") in client.get(list_url(world.b)).content.decode()
    url = reverse("promises:default_rule_edit", kwargs={"kind": "missed_callback"})
    assert client.post(url, GOOD_POST | {"remind_at_percent": "75"}).status_code == 302
    assert PromiseRule.objects.get(store=None, kind="missed_callback").remind_at_percent == 75
    body = client.get(reverse("promises:default_rule_list")).content.decode()
    assert 'data-kind="missed_callback" data-source="default"' in body
    url = reverse("promises:default_rule_delete", kwargs={"kind": "missed_callback"})
    assert client.post(url).status_code == 302
    assert not PromiseRule.objects.filter(store=None).exists()


def test_store_manager_may_not_edit_the_defaults(client, world):
    client.force_login(world.a.manager)
    assert client.get(reverse("promises:default_rule_list")).status_code == 200
    url = reverse("promises:default_rule_edit", kwargs={"kind": KIND})
    assert client.get(url).status_code == 403
    assert client.post(url, GOOD_POST).status_code == 403
    assert not PromiseRule.objects.exists()


def test_rules_page_uses_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.a.manager)
    for kind in selectors.PROMISE_KINDS:
        save(world.a.manager, world.a.store, kind=kind)
        save(world.admin, None, kind=kind)
        save(world.a.manager, world.a.store, kind=kind, remind_at_percent=60)
    with django_assert_max_num_queries(12):
        assert client.get(list_url(world.a)).status_code == 200
