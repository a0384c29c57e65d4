"""Posting to a WeCom (企业微信) group robot webhook: JSON over HTTPS, short timeout, errors returned.

Only WeCom's own robot address is ever posted to (``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``,
or the same form at a host listed in AFTERSALES_WEBHOOK_HOSTS), so a store's setting cannot point the
worker at an internal address. The store form refuses other addresses and the worker checks again
(core.validators.webhook_url_allowed).
"""

import json
import urllib.error
import urllib.request


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
