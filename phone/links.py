"""Addresses of the telephone pages, for services (promise and notification links), selectors and views."""

from django.urls import reverse
from django.utils.http import urlencode

from .models import Call, Message


def call_url(call: Call) -> str:
    return reverse("phone:call_detail", args=[call.pk])


def message_url(message: Message) -> str:
    return reverse("phone:message_list") + f"#message-{message.pk}"


def console_url(number: str = "", returns: int | None = None) -> str:
    params = {"number": number} if number else {}
    if returns:
        params["returns"] = returns
    return reverse("phone:console") + (f"?{urlencode(params)}" if params else "")
