"""Checking the rows of an attendance import (S1.D1a): every row error names the row, the column and the rule."""

from datetime import date

import pytest
import time_machine
from django.utils import translation

from conduct.imports.checking import check_rows
from org.choices import Role
from tests.clock import at
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"), time_machine.travel(at("2026-12-01 10:00"), tick=False):
        yield


def _row(**values):
    base = {"employee_no": "", "name": "", "date": "2026-11-03", "clock_in": "08:20", "clock_out": "18:05"}
    return base | values


def _errors(world, *rows):
    result = check_rows(world.a.store.pk, list(enumerate(rows, start=4)))
    return result, [(e["row"], e["field"], e["reason"]) for e in result.errors]


def test_s1_d1a_a_person_by_employee_number_first_else_by_unique_name(world):
    result, errors = _errors(
        world, _row(employee_no="E1003", name="别的名字"), _row(name="主管1"), _row(employee_no="", name="经理1")
    )
    assert errors == []
    assert [g.person_id for g in result.good] == [world.a.staff.pk, world.a.supervisor.pk, world.a.manager.pk]


@pytest.mark.parametrize(
    "row, field, words",
    [
        (_row(employee_no="E9999"), "employee_no", "E9999"),
        (_row(name="无名氏"), "name", "无名氏"),
        (_row(employee_no="E9999", name="无名氏"), "employee_no", "无名氏"),
        (_row(employee_no="E2003"), "employee_no", "another store"),
        (_row(name="客服2"), "name", "another store"),
        (_row(), "name", "工号"),
        (_row(employee_no="E1003", date="2026-13-01"), "date", "2026-13-01"),
        (_row(employee_no="E1003", date=""), "date", "empty"),
        (_row(employee_no="E1003", date="2026-12-02"), "date", "not come yet"),
        (_row(employee_no="E1003", clock_in="8点半"), "clock_in", "8点半"),
        (_row(employee_no="E1003", clock_out="25:00"), "clock_out", "25:00"),
        (_row(employee_no="E1003", clock_in="18:00", clock_out="08:30"), "clock_out", "before the clock-in"),
    ],
)
def test_s1_d1a_each_bad_row_is_reported_with_its_column_and_reason(world, row, field, words):
    result, errors = _errors(world, row)
    assert result.good == []
    assert [(r, f) for r, f, _reason in errors] == [(4, field)]
    assert words in errors[0][2]


def test_s1_d1a_the_same_person_and_day_twice_is_refused_on_the_later_row(world):
    result, errors = _errors(world, _row(employee_no="E1003"), _row(name="客服1", date="2026/11/3"))
    assert [g.row for g in result.good] == [4]
    assert errors[0][:2] == (5, "date") and "row 4" in errors[0][2]


def test_s1_d1a_an_inactive_person_and_a_name_shared_by_two_are_refused(world):
    make_user("gone", role=Role.STAFF, store=world.a.store, employee_no="E1009", name="离职员工", is_active=False)
    make_user("twin1", role=Role.STAFF, store=world.a.store, name="王伟")
    make_user("twin2", role=Role.STAFF, store=world.a.store, name="王伟")
    _result, errors = _errors(world, _row(employee_no="E1009"), _row(name="离职员工"), _row(name="王伟"))
    assert [(r, f) for r, f, _reason in errors] == [(4, "employee_no"), (5, "name"), (6, "name")]
    assert "no longer active" in errors[0][2] and "no longer active" in errors[1][2] and "工号" in errors[2][2]


def test_s1_d1a_several_errors_of_one_row_are_all_listed(world):
    result, errors = _errors(world, _row(name="无名氏", clock_in="abc", clock_out="--"))
    assert {f for _r, f, _reason in errors} == {"name", "clock_in"}
    assert result.first is None and result.error_rows == 1


def test_s1_d1a_checking_asks_a_constant_number_of_queries(world, django_assert_max_num_queries):
    rows = [_row(employee_no="E1003", date=date(2026, 11, d).isoformat()) for d in range(1, 29)]
    rows += [_row(employee_no="E9999"), _row(name="客服2")]
    with django_assert_max_num_queries(2):
        check_rows(world.a.store.pk, list(enumerate(rows, 1)))
