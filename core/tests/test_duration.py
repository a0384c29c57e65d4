"""Durations read as people say them, in the reader's language, with plural forms (issue 8)."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import translation

from core.templatetags.ui import format_duration


@pytest.mark.parametrize(
    ("value", "unit", "zh", "en"),
    [
        (2130.1, "minutes", "1 天 11 小时", "1 day 11 hours"),
        (35, "minutes", "35 分钟", "35 minutes"),
        (1, "minutes", "1 分钟", "1 minute"),
        (125, "minutes", "2 小时 5 分钟", "2 hours 5 minutes"),
        (60, "minutes", "1 小时", "1 hour"),
        (2880, "minutes", "2 天", "2 days"),
        (1.5, "hours", "1 小时 30 分钟", "1 hour 30 minutes"),
        (45, "seconds", "45 秒", "45 seconds"),
        (timedelta(days=3, hours=1, minutes=20), "minutes", "3 天 1 小时", "3 days 1 hour"),
        (None, "minutes", "—", "—"),
    ],
)
def test_durations_read_in_days_hours_and_minutes(value, unit, zh, en):
    with translation.override("zh-hans"):
        assert format_duration(value, unit) == zh
    with translation.override("en"):
        assert format_duration(value, unit) == en


def test_the_filter_is_the_one_used_by_templates():
    with translation.override("zh-hans"):
        rendered = Template('{% load ui %}{{ m|duration }} · {{ h|duration:"hours" }}').render(
            Context({"m": 35, "h": 2})
        )
    assert rendered == "35 分钟 · 2 小时"
