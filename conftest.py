"""Shared test fixtures: a dealer group with two stores (A and B) and a person in every role."""

import os

import pytest

# Playwright's sync API runs an event loop; Django's ORM calls from the same thread in the
# live-server tests are safe here because the server runs in its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _static_storage(settings, tmp_path):
    """Tests serve static files without collectstatic."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    """Two stores of one group, departments, and users in every role (see tests/factories.py)."""
    from tests.factories import make_world

    return make_world()
