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
