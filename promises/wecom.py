"""Posting to a WeCom (企业微信) group robot webhook: JSON over HTTPS, short timeout, errors returned.

Only WeCom's own robot address is ever posted to (``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``,
or the same form at a host listed in AFTERSALES_WEBHOOK_HOSTS), so a store's setting cannot point the
worker at an internal address. The store form refuses other addresses and the worker checks again.
"""

import json
import re
import urllib.error
import urllib.request

from django.conf import settings

# The whole address, strictly: https, a plain host name (no user info, no IP tricks), the default
# port, the robot's path and its key as the only parameter.
_ROBOT_URL = re.compile(
    r"https://(?P<host>[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)"
    r"(?::443)?/cgi-bin/webhook/send\?key=(?P<key>[A-Za-z0-9_-]{1,100})"
)


def webhook_hosts() -> list[str]:
    """The hosts a robot address may name (lower case)."""
    return [h.strip().lower() for h in settings.WEBHOOK_HOSTS if h.strip()]


def webhook_url_allowed(url: str) -> bool:
    """True for a WeCom group robot address at an allowed host; False for anything else."""
    match = _ROBOT_URL.fullmatch(url or "")
    return bool(match) and match["host"].lower() in webhook_hosts()


def post_json(url: str, payload: dict, timeout: float = 5.0) -> str:
    """POST the payload; '' on success, else the error text. WeCom answers {"errcode": 0} when it took it."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(2000).decode("utf-8", errors="replace")
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        return str(exc) or exc.__class__.__name__
    try:
        answer = json.loads(body)
    except ValueError:
        return f"unexpected answer: {body[:200]}"
    if answer.get("errcode", 0) != 0:
        return f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"
    return ""
