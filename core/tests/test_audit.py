"""The history as its reader sees it: field labels, the reader's language, the store's local time."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from complaints.services import stages
from complaints.tests.wall import log_complaint
from core.audit import history_for, history_save, snapshot
from core.models import HistoryAction, HistoryEntry
from org.models import Store
from tests.factories import make_user

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 4, 14, 30, tzinfo=SH)  # 06:30 UTC


def _rows(entry) -> dict:
    return {str(label): (before, after) for label, before, after in entry.change_rows}


def test_history_shows_labels_local_times_and_values_in_the_readers_language(world):
    with time_machine.travel(NOW, tick=False), translation.override("zh-hans"):  # written by a Chinese user
        complaint = log_complaint(world.a)
        stages.complaint_acknowledge(actor=world.a.supervisor, complaint=complaint)
        member = make_user("lounge1", role="staff", store=world.a.store, department=world.a.lounge)
        (verification,) = stages.verification_request(
            actor=world.a.supervisor, complaint=complaint, departments=[world.a.lounge], question="当天谁接待?"
        )
        stages.verification_answer(actor=member, verification=verification, answer="李四接待")

    with translation.override("en"):
        entries = history_for(complaint)
        created = _rows(entries[-1])
        assert created["channel"][1] == "Phone"
        assert created["a vehicle is involved"][1] == "Yes"
        assert created["severity"][1] == "High"
        assert created["happened at"][1] == "Dec. 4, 2026, 1:30 p.m."  # 05:30 UTC, shown in Beijing time
        answered = _rows(entries[0])
        assert answered["verification answer"][1].endswith("李四接待")
        assert all("_" not in label for entry in entries for label in _rows(entry))
    with translation.override("zh-hans"):
        entries = history_for(complaint)
        created = _rows(entries[-1])
        assert created["涉及车辆"][1] == "是"
        assert created["发生时间"][1] == "2026年12月4日 13:30"
        assert "核实回复" in _rows(entries[0])


def test_the_history_list_shows_when_in_local_time_and_the_readers_format(world):
    from django.template.loader import render_to_string

    with time_machine.travel(NOW, tick=False):
        complaint = log_complaint(world.a)
    entries = history_for(complaint)
    with translation.override("zh-hans"):
        html = render_to_string("core/partials/history.html", {"entries": entries})
    assert "2026年12月4日 14:30" in html and "涉及车辆: <span" not in html and "涉及车辆: 是" in html
    with translation.override("en"):
        html = render_to_string("core/partials/history.html", {"entries": history_for(complaint)})
    assert "Dec. 4, 2026, 2:30 p.m." in html and "a vehicle is involved: Yes" in html


def test_history_save_validates_saves_only_the_named_fields_and_records_the_change(world):
    """history_save: full_clean, save(update_fields), one UPDATE entry with before → after and the note."""
    store = world.a.store
    before = snapshot(store, ["city"])
    store.city = "Hangzhou"
    store.brand = "not saved"  # a field not named is not written
    entry = history_save(
        store, actor=world.a.manager, before=before, fields=["city"], after=snapshot(store, ["city"]), note="moved"
    )
    stored = Store.objects.get(pk=store.pk)
    assert stored.city == "Hangzhou" and stored.brand != "not saved"
    assert entry.action == HistoryAction.UPDATE and entry.actor == world.a.manager and entry.note == "moved"
    assert entry.changes == {"city": [before["city"], "Hangzhou"]}

    count = HistoryEntry.objects.count()
    store.refresh_from_db()
    store.city = ""  # required: refused before anything is written
    with pytest.raises(ValidationError):
        history_save(store, actor=world.a.manager, before={}, fields=["city"], after={"city": ""})
    assert HistoryEntry.objects.count() == count and Store.objects.get(pk=store.pk).city == "Hangzhou"

    # no field named: nothing saved, the history line alone (a second report of the same fault)
    entry = history_save(store, actor=None, before={}, fields=[], after={"report": "again"})
    assert entry.changes == {"report": ["", "again"]} and entry.actor is None
