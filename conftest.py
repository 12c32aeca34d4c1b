import pytest

from opscenter.core.testing import PASSWORD, build_personas


@pytest.fixture
def personas(db):
    return build_personas()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_report_header(config):
    from django.db import connection

    return f"opscenter test database: {connection.vendor}"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """The default work calendar is cached per process; a test's CalendarDay rows must not leak."""
    from opscenter.core.calendars import clear_calendar_cache

    clear_calendar_cache()
    yield
    clear_calendar_cache()
