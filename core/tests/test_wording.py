"""Overdue-and-open and done-late read and look different (issue 8): "已逾期·未完成" red, "逾期完成" amber."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.utils import translation
from django.utils.translation import gettext

from complaints.models import Complaint
from complaints.tests.wall import log_complaint

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_overdue_and_late_have_distinct_words():
    with translation.override("zh-hans"):
        overdue, late = gettext("overdue"), gettext("late")
    assert overdue == "已逾期·未完成" and late == "逾期完成"
    assert overdue not in late and late not in overdue


def test_the_complaint_list_shows_overdue_red_and_late_amber(client, world):
    with time_machine.travel(NOW, tick=False):
        open_one = log_complaint(world.a)
        done_late = log_complaint(world.a)
    Complaint.objects.filter(pk=done_late.pk).update(reply_on_time=False, reply_at=NOW + timedelta(hours=6))
    client.force_login(world.a.manager)
    with time_machine.travel(NOW + timedelta(hours=5), tick=False):  # past the 4 hours promised
        body = client.get("/complaints/", headers={"Accept-Language": "zh-hans"}).content.decode()
    overdue = re.findall(r'<span class="badge ([^"]*)" data-testid="overdue">.*?</span>', body)
    late = re.findall(r'<span class="badge ([^"]*)" data-testid="reply-late">.*?</span>', body)
    assert overdue == ["text-bg-danger state-overdue"], open_one.number
    assert late == ["text-bg-warning state-late"]
    assert "已逾期·未完成" in body and "逾期完成" in body
