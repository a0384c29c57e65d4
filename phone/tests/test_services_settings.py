"""A store's telephone settings (S2.1 ring time, S2.10 call-back time): the service and the page.

The three people: the store's manager (and the group admin) change them, colleagues of the store
read them, a person of another store gets a 404.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from core.audit import history_for
from core.models import HistoryAction, HistoryEntry
from phone.models import PhoneSettings, phone_settings
from phone.services.calls import ring_figures
from phone.services.settings import phone_settings_update

GOOD = {"ring_cycle_seconds": 6.0, "max_rings": 3, "missed_callback_minutes": 20}


def settings_url(store_world) -> str:
    return reverse("phone:settings", kwargs={"store_pk": store_world.store.pk})


# Service


def test_manager_changes_settings_and_the_history_keeps_before_and_after(world):
    """S2.1: the ring cycle changed by the manager is kept with who, when, before → after."""
    phone_settings(world.a.store)  # the defaults, as the console creates them on first use
    found = phone_settings_update(actor=world.a.manager, store=world.a.store, **GOOD)
    assert (found.ring_cycle_seconds, found.max_rings, found.missed_callback_minutes) == (6.0, 3, 20)
    entry = HistoryEntry.objects.get(object_id=found.pk, content_type__model="phonesettings")
    assert entry.action == HistoryAction.UPDATE
    assert entry.actor == world.a.manager and entry.store_id == world.a.store.pk
    assert entry.changes == {"ring_cycle_seconds": ["5.0", "6.0"], "missed_callback_minutes": ["15", "20"]}


def test_first_save_creates_the_settings_and_an_unchanged_save_writes_no_history(world):
    found = phone_settings_update(actor=world.a.manager, store=world.a.store, **GOOD)
    assert history_for(found)[0].action == HistoryAction.CREATE
    phone_settings_update(actor=world.admin, store=world.a.store, **GOOD)
    assert len(history_for(found)) == 1


def test_new_ring_cycle_counts_rings_of_calls_logged_afterwards(world):
    """S2.1: with a 6 s cycle, 14.9 s is still the 3rd ring, 18 s the 4th (not in time)."""
    phone_settings_update(actor=world.a.manager, store=world.a.store, **GOOD)
    assert ring_figures(store=world.a.store, ring_seconds=17.9)[1:] == (3, True)
    assert ring_figures(store=world.a.store, ring_seconds=18)[1:] == (4, False)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ring_cycle_seconds": 0}, "ring_cycle_seconds"),
        ({"ring_cycle_seconds": 25}, "ring_cycle_seconds"),
        ({"ring_cycle_seconds": float("nan")}, "ring_cycle_seconds"),
        ({"max_rings": 0}, "max_rings"),
        ({"max_rings": 11}, "max_rings"),
        ({"missed_callback_minutes": 0}, "missed_callback_minutes"),
        ({"missed_callback_minutes": -5}, "missed_callback_minutes"),
        ({"missed_callback_minutes": 1441}, "missed_callback_minutes"),
    ],
)
def test_out_of_range_values_are_refused_naming_the_field_and_nothing_is_saved(world, changes, field):
    with pytest.raises(ValidationError) as caught:
        phone_settings_update(actor=world.a.manager, store=world.a.store, **(GOOD | changes))
    assert list(caught.value.message_dict) == [field]
    assert not PhoneSettings.objects.filter(store=world.a.store).exists()
    assert not HistoryEntry.objects.filter(content_type__model="phonesettings").exists()


def test_every_bad_field_is_named_at_once_in_plain_words(world):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        phone_settings_update(
            actor=world.a.manager, store=world.a.store, ring_cycle_seconds=0.5, max_rings=0, missed_callback_minutes=0
        )
    errors = caught.value.message_dict
    assert errors["ring_cycle_seconds"] == ["The ring cycle must be between 1 and 20 seconds."]
    assert errors["max_rings"] == ["The number of rings to answer within must be between 1 and 10."]
    assert errors["missed_callback_minutes"] == [
        "The call-back time for missed calls must be between 1 and 1440 minutes."
    ]


@pytest.mark.parametrize("who", ["supervisor", "staff", "auditor"])
def test_only_managers_may_change_settings(world, who):
    with pytest.raises(PermissionDenied):
        phone_settings_update(actor=getattr(world.a, who), store=world.a.store, **GOOD)


def test_manager_of_another_store_may_not_change_settings(world):
    with pytest.raises(PermissionDenied):
        phone_settings_update(actor=world.b.manager, store=world.a.store, **GOOD)


# Page


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_manager_and_group_admin_see_the_form_and_save(client, world, who):
    person = world.admin if who == "admin" else world.a.manager
    client.force_login(person)
    response = client.get(settings_url(world.a))
    assert response.status_code == 200
    assert 'data-testid="settings-form"' in response.content.decode()
    response = client.post(
        settings_url(world.a), {"ring_cycle_seconds": "6", "max_rings": "3", "missed_callback_minutes": "30"}
    )
    assert response.status_code == 302 and response.url == settings_url(world.a)
    found = PhoneSettings.objects.get(store=world.a.store)
    assert (found.ring_cycle_seconds, found.missed_callback_minutes) == (6.0, 30)
    body = client.get(settings_url(world.a)).content.decode()
    assert 'data-testid="history"' in body and person.name in body


def test_htmx_save_answers_with_the_partial(client, world):
    client.force_login(world.a.manager)
    response = client.post(
        settings_url(world.a),
        {"ring_cycle_seconds": "5.5", "max_rings": "3", "missed_callback_minutes": "15"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="settings-saved"' in body and "<html" not in body
    assert PhoneSettings.objects.get(store=world.a.store).ring_cycle_seconds == 5.5


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"ring_cycle_seconds": "0"}, "ring_cycle_seconds"),
        ({"ring_cycle_seconds": "five"}, "ring_cycle_seconds"),
        ({"max_rings": "12"}, "max_rings"),
        ({"missed_callback_minutes": ""}, "missed_callback_minutes"),
        ({"missed_callback_minutes": "-1"}, "missed_callback_minutes"),
    ],
)
def test_bad_input_shows_the_error_next_to_the_field_and_saves_nothing(client, world, data, field):
    client.force_login(world.a.manager)
    post = {"ring_cycle_seconds": "6", "max_rings": "3", "missed_callback_minutes": "20"} | data
    response = client.post(settings_url(world.a), post)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'data-field="{field}"' in body and 'data-testid="form-error"' in body
    assert not PhoneSettings.objects.filter(store=world.a.store).exists()
    # htmx: the partial with the error, 200 so that htmx swaps it in
    response = client.post(settings_url(world.a), post, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f'data-field="{field}"' in response.content.decode()
    assert not PhoneSettings.objects.filter(store=world.a.store).exists()


def test_bad_input_message_names_the_rule_in_english(client, world):
    world.a.manager.language = "en"  # the person's own language decides the page's
    world.a.manager.save(update_fields=["language"])
    client.force_login(world.a.manager)
    response = client.post(
        settings_url(world.a),
        {"ring_cycle_seconds": "30", "max_rings": "3", "missed_callback_minutes": "20"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "The ring cycle must be between 1 and 20 seconds." in response.content.decode()


@pytest.mark.parametrize("who", ["supervisor", "staff", "auditor"])
def test_colleagues_read_the_settings_but_may_not_change_them(client, world, who):
    client.force_login(getattr(world.a, who))
    response = client.get(settings_url(world.a))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="settings-values"' in body and 'data-testid="settings-form"' not in body
    response = client.post(
        settings_url(world.a), {"ring_cycle_seconds": "6", "max_rings": "3", "missed_callback_minutes": "20"}
    )
    assert response.status_code == 403
    assert not PhoneSettings.objects.filter(store=world.a.store).exists()


@pytest.mark.parametrize("who", ["manager", "supervisor", "staff"])
def test_another_stores_settings_are_a_404(client, world, who):
    client.force_login(getattr(world.b, who))
    assert client.get(settings_url(world.a)).status_code == 404
    post = {"ring_cycle_seconds": "6", "max_rings": "3", "missed_callback_minutes": "20"}
    assert client.post(settings_url(world.a), post).status_code == 404
    assert not PhoneSettings.objects.filter(store=world.a.store).exists()


def test_store_page_links_to_the_settings(client, world):
    client.force_login(world.a.staff)
    body = client.get(reverse("org:store_detail", kwargs={"store_pk": world.a.store.pk})).content.decode()
    assert settings_url(world.a) in body
    assert reverse("promises:rule_list", kwargs={"store_pk": world.a.store.pk}) in body


def test_settings_page_uses_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.a.manager)
    for minutes in range(20, 30):
        phone_settings_update(
            actor=world.a.manager,
            store=world.a.store,
            ring_cycle_seconds=5,
            max_rings=3,
            missed_callback_minutes=minutes,
        )
    with django_assert_max_num_queries(10):
        assert client.get(settings_url(world.a)).status_code == 200
