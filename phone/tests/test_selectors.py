"""Reads of the telephone module: the customer's timeline."""

from phone.choices import Purpose
from phone.tests.helpers import log, take
from tests.factories import make_customer


def test_calls_and_messages_appear_on_the_customer_timeline(world):
    from customers.selectors import customer_timeline

    customer = make_customer(world.a.store, name="张三", mobile="13812345678")
    log(world, number="13812345678", purpose=Purpose.BOOKING)
    take(world)
    kinds = {item.kind for item in customer_timeline(customer)}
    assert {"call", "message"} <= kinds
