"""Production settings: the README's production variables give a clean `manage.py check --deploy`, with Redis and a
read replica too (docs/production.md)."""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def clean_env(tmp_path, **variables) -> dict:
    """The process environment without the test run's own settings (and the browser tests' async switch)."""
    skip = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL"}
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


# What a group's set-up adds (docs/production.md): PostgreSQL, a read replica for the figures, Redis.
GROUP = {
    "DATABASE_URL": "postgres://aftersales:pw@db-primary:5432/aftersales",
    "DATABASE_REPLICA_URL": "postgres://aftersales_read:pw@db-replica:5432/aftersales",
    "AFTERSALES_REDIS_URL": "redis://127.0.0.1:6379/0",
}


def test_check_deploy_is_clean_with_the_readmes_production_variables(tmp_path):
    result = run_check(tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_is_clean_with_a_replica_and_redis(tmp_path):
    result = run_check(tmp_path, **PRODUCTION, **GROUP)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def print_settings(tmp_path, expression: str, **variables):
    code = (
        "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','aftersales.settings');django.setup();"
        f"from django.conf import settings as s;print({expression})"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_env(tmp_path, **variables),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_redis_holds_the_cache_and_sessions_when_configured(tmp_path):
    expression = "s.CACHES['default']['BACKEND'], s.CACHES['default'].get('LOCATION'), s.SESSION_ENGINE"
    out = print_settings(tmp_path, expression, AFTERSALES_REDIS_URL="redis://cache-host:6379/2")
    assert out.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://cache-host:6379/2",
        "django.contrib.sessions.backends.cached_db",
    ], out.stderr
    # REDIS_URL (a platform's usual name) serves too; AFTERSALES_REDIS_URL wins when both are set
    out = print_settings(tmp_path, expression, REDIS_URL="redis://other:6379/0")
    assert "redis://other:6379/0" in out.stdout
    out = print_settings(tmp_path, expression, REDIS_URL="redis://other:6379/0", AFTERSALES_REDIS_URL="redis://mine/1")
    assert "redis://mine/1" in out.stdout
    # without either: the local memory cache and sessions in the database
    out = print_settings(tmp_path, expression)
    assert out.stdout.split() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "None",
        "django.contrib.sessions.backends.db",
    ], out.stderr


def test_a_redis_url_of_another_scheme_is_refused_by_name(tmp_path):
    out = print_settings(tmp_path, "s.CACHES", AFTERSALES_REDIS_URL="http://cache-host:6379")
    assert out.returncode != 0
    assert "AFTERSALES_REDIS_URL (or REDIS_URL) must start with redis://" in out.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_server(tmp_path):
    """A Redis of this test's own on a free port of 127.0.0.1 (no disk), stopped at the end."""
    program = shutil.which("redis-server")
    assert program, "redis-server is not installed: scripts/test installs it (Debian: redis-server)"
    port = _free_port()
    process = subprocess.Popen(
        [program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tmp_path],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_sessions_live_in_redis_and_survive_its_loss(redis_server, client, world, settings):
    """A signed-in session is read from Redis; if Redis forgets it (a restart), cached_db reads the database.
    (redis_server first: it starts before the test database's transaction, whose guard forbids connects inside.)"""
    import redis

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server,
            "KEY_PREFIX": "aftersales",
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client.force_login(world.a.manager)
    assert client.get("/").status_code == 200
    server = redis.Redis.from_url(redis_server)
    assert any(b"sessions.cached_db" in key for key in server.keys("aftersales:*"))
    server.flushall()
    assert client.get("/").status_code == 200  # still signed in: the session is in the database too
    assert any(b"sessions.cached_db" in key for key in server.keys("aftersales:*"))


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


def test_processes_starting_together_agree_on_the_generated_secret_key(tmp_path):
    """gunicorn's processes and the workers may all start before secret_key.txt exists: one key wins for all."""
    code = (
        "import os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','aftersales.settings');"
        "from django.conf import settings;print(settings.SECRET_KEY)"
    )
    env = clean_env(tmp_path / "data")
    processes = [
        subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    keys = {process.communicate(timeout=120)[0].strip() for process in processes}
    key_file = tmp_path / "data" / "secret_key.txt"
    assert keys == {key_file.read_text().strip()}
    assert len(keys.pop()) >= 50
    assert key_file.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["secret_key.txt"]  # no temporary file left
