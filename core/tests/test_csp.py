"""Content-Security-Policy: sent with every answer, and no template needs what it forbids."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\-][\w:\-]*)\s*=", re.I)
TRIGGER_FILTER = re.compile(r"hx-trigger=\"[^\"]*\[", re.I)


def test_every_answer_carries_the_policy(client, world):
    for url in ("/signin/", "/q/not-a-code/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "'unsafe-eval'" not in policy
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "base-uri 'self'" in policy and "form-action 'self'" in policy
    client.force_login(world.a.staff)
    assert "default-src 'self'" in client.get("/")["Content-Security-Policy"]


def templates():
    for path in ROOT.glob("*/templates/**/*.html"):
        if ".venv" not in path.parts:
            yield path
    yield from (ROOT / "templates").glob("**/*.html")


def test_no_template_has_inline_script_handlers_or_eval_filters():
    """script-src 'self': an inline <script>, onclick=, hx-on or an hx-trigger filter (eval) would not run."""
    found = []
    for path in templates():
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, TRIGGER_FILTER):
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []
