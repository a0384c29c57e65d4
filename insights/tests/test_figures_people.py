"""People figures (S6.1–S6.4, S1.D1a–S1.D4, S1.D2): each figure agrees with the records behind it."""

from datetime import date

import pytest

from insights.figures import people
from insights.figures.base import FigureScope, period_containing
from tests.clock import at

from .people_helpers import people_month

NOW = at("2026-11-27 10:00")


def _scope(world, *stores, person=None, department=None, kind="month", on=date(2026, 11, 15)):
    ids = frozenset(s.store.pk for s in stores) or frozenset({world.a.store.pk, world.b.store.pk})
    return FigureScope(
        store_ids=ids, period=period_containing(kind, on), person_id=person, department_id=department, now=NOW
    )


@pytest.fixture
def data(world):
    return people_month(world)


def test_a_store_s_month_figures(data):
    """S6.1–S6.4, S1.D3, S1.D1a, S1.D2: store A's November."""
    figures = people.people_figures(_scope(data, data.a))
    assert (figures["grooming_checked"], figures["grooming_passed"], figures["grooming_share"]) == (3, 2, 66.7)
    assert (figures["items_checked"], figures["items_passed"]) == (6, 5)
    assert (figures["desk_checked"], figures["desk_passed"]) == (1, 1)
    assert (figures["checks_due"], figures["checks_on_time"], figures["checks_share"]) == (4, 2, 50.0)
    assert (figures["corrections_due"], figures["corrections_kept"]) == (2, 1)
    # counted: recorded and acknowledged; the withdrawn one apart; the draft not at all
    assert (figures["discipline"], figures["discipline_withdrawn"]) == (2, 1)
    assert (figures["late"], figures["early"], figures["missing_punch"]) == (1, 1, 1)
    assert (figures["carry_overs"], figures["complaints"]) == (1, 1)


def test_every_figure_agrees_with_its_records(data):
    """Each figure is the count of the records its records view lists, for the group, a store and a person."""
    for scope in (_scope(data), _scope(data, data.a), _scope(data, data.a, person=data.a.staff.pk)):
        figures = people.people_figures(scope)
        for key in people.FIGURE_LABELS:
            assert people.records(scope, key).count() == figures[key], key


def test_a_person_s_figures(data):
    """The person scope: the staff member's own checks, records, attendance and carried-over work."""
    figures = people.people_figures(_scope(data, data.a, person=data.a.staff.pk))
    assert (figures["grooming_checked"], figures["grooming_passed"]) == (2, 1)
    assert figures["discipline"] == 1 and figures["discipline_withdrawn"] == 1
    by_kind = {
        (row["kind"], row["state"]): row["n"]
        for row in people.discipline_by_kind_and_state(_scope(data, data.a, person=data.a.staff.pk))
    }
    assert by_kind == {("late", "recorded"): 1, ("noise", "withdrawn"): 1}


def test_grooming_by_item(data):
    """S6.1–S6.4: the pass rate of each item."""
    rows = {row["text"]: (row["checked"], row["passed"], row["share"]) for row in people.grooming_by_item(_scope(data))}
    assert rows == {"工装整洁": (4, 3, 75.0), "佩戴工牌": (4, 3, 75.0)}


def test_discipline_by_rule_and_month(data):
    """S1.D1a–S1.D4: counted records per rule and month; a year has twelve months."""
    table = people.discipline_by_rule_and_month(_scope(data, kind="year"))
    assert len(table["months"]) == 12
    totals = {row["rule_id"]: row["total"] for row in table["rows"]}
    assert totals == {"S1.D1a": 1, "S1.D1b": 1, "S1.D3": 1}
    november = table["months"].index(date(2026, 11, 1))
    assert {row["rule_id"]: row["counts"][november][1] for row in table["rows"]} == totals


def test_a_group_s_rows_are_store_by_store(data):
    """A group's figures: one row per store, never one silent sum."""
    rows = {row["id"]: row for row in people.breakdown(_scope(data), "store", {})}
    assert set(rows) == {data.a.store.pk, data.b.store.pk}
    assert (rows[data.a.store.pk]["late"], rows[data.b.store.pk]["late"]) == (1, 1)
    assert rows[data.b.store.pk]["grooming_share"] == 0.0


def test_per_person_and_department_rows(data):
    scope = _scope(data, data.a)
    by_person = {row["id"]: row for row in people.breakdown(scope, "person", {})}
    assert by_person[data.a.staff.pk]["carry_overs"] == 1
    assert by_person[data.a.supervisor.pk]["discipline"] == 1
    assert by_person[data.a.supervisor.pk]["checks_on_time"] == 2  # the checks they did
    only = people.breakdown(scope, "person", {}, only=frozenset({data.a.staff.pk}))
    assert [row["id"] for row in only] == [data.a.staff.pk]
    by_department = {row["id"]: row for row in people.breakdown(scope, "department", {})}
    assert by_department[data.a.cs.pk]["discipline"] == 2


def test_a_day_outside_the_records_counts_nothing(data):
    figures = people.people_figures(_scope(data, kind="day", on=date(2026, 11, 30)))
    assert not any(figures[key] for key in people.FIGURE_LABELS)
    assert figures["grooming_share"] is None


def test_each_figure_has_its_kind_of_record_label_and_rule():
    conditions = people.figure_conditions(FigureScope(frozenset(), period_containing("day", date(2026, 11, 1))))
    assert {key: kind for key, (kind, _condition) in conditions.items()} == people.RECORD_KINDS
    assert set(people.FIGURE_LABELS) == set(people.RULES) == set(people.RECORD_KINDS)
