"""Production settings: the README's production variables give a clean `manage.py check --deploy`."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def clean_env(tmp_path, **variables) -> dict:
    """The process environment without the test run's own settings (and the browser tests' async switch)."""
    skip = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_") and k not in skip}
    return env | {"AFTERSALES_DATA_DIR": str(tmp_path), **variables}


def run_check(tmp_path, **variables):
    env = clean_env(tmp_path, **variables)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "AFTERSALES_SECRET_KEY": secrets.token_urlsafe(64),
    "AFTERSALES_ALLOWED_HOSTS": "aftersales.example.com",
    "AFTERSALES_CSRF_TRUSTED_ORIGINS": "https://aftersales.example.com",
    "AFTERSALES_SECURE_COOKIES": "true",
}


def test_check_deploy_is_clean_with_the_readmes_production_variables(tmp_path):
    result = run_check(tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_without_https_check_deploy_names_what_is_missing(tmp_path):
    """The zero-configuration default (plain http on 127.0.0.1) is not production: the check says so."""
    result = run_check(tmp_path, **(PRODUCTION | {"AFTERSALES_SECURE_COOKIES": "false"}))
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS
    assert "security.W008" in result.stderr + result.stdout  # no redirect to https


def test_https_settings_in_production(tmp_path):
    code = (
        "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','aftersales.settings');django.setup();"
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD,"
        " s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_env(tmp_path, **PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.stdout.split() == [
        "True",
        "31536000",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "True",
        "True",
    ], out.stderr


def test_the_local_default_serves_plain_http(client, settings):
    assert not getattr(settings, "SECURE_SSL_REDIRECT", False)
    assert client.get("/signin/").status_code == 200
