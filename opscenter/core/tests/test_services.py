import pytest

from opscenter.core import services
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.core.models import ApiToken, AuditEntry

pytestmark = pytest.mark.django_db


def test_user_set_language_saves_the_choice(personas):
    user = personas.consultant_a

    services.user_set_language(user=user, language="en")

    user.refresh_from_db()
    assert user.language == "en"


def test_user_set_language_refuses_a_language_we_do_not_ship(personas):
    user = personas.consultant_a

    with pytest.raises(ValidationError) as excinfo:
        services.user_set_language(user=user, language="fr")

    assert excinfo.value.field == "language"
    user.refresh_from_db()
    assert user.language == "zh-hans"


def test_api_token_create_stores_only_the_digest_and_returns_the_raw_token_once(personas):
    token, raw = services.api_token_create(user=personas.consultant_a, name="  报表同步脚本 ")

    assert raw.startswith("ops_")
    assert token.name == "报表同步脚本"
    assert token.digest == ApiToken.hash(raw)
    assert token.prefix == raw[:8]
    assert raw not in {token.digest, token.prefix, token.name}
    assert token.revoked_at is None


def test_api_token_create_is_audited_without_the_raw_token(personas):
    token, raw = services.api_token_create(user=personas.consultant_a, name="脚本")

    entries = AuditEntry.objects.filter(object_id=str(token.pk), content_type__model="apitoken")
    assert entries.count() == 1
    for entry in entries:
        assert raw not in f"{entry.changes} {entry.message} {entry.object_repr}"


def test_api_token_create_refuses_a_blank_name(personas):
    with pytest.raises(ValidationError) as excinfo:
        services.api_token_create(user=personas.consultant_a, name="   ")

    assert excinfo.value.field == "name"
    assert not ApiToken.objects.exists()


def test_api_token_create_stops_at_the_active_token_limit(personas):
    user = personas.consultant_a
    for n in range(services.API_TOKENS_ACTIVE_LIMIT):
        services.api_token_create(user=user, name=f"脚本{n}")

    with pytest.raises(ValidationError):
        services.api_token_create(user=user, name="再来一个")

    services.api_token_revoke(user=user, token_id=user.api_tokens.first().pk)
    services.api_token_create(user=user, name="吊销一个后可以再建")


def test_api_token_revoke_stamps_the_time_and_is_audited(personas):
    token, _raw = services.api_token_create(user=personas.consultant_a, name="脚本")

    services.api_token_revoke(user=personas.consultant_a, token_id=token.pk)

    token.refresh_from_db()
    assert token.revoked_at is not None
    messages = set(AuditEntry.objects.filter(object_id=str(token.pk)).values_list("message", flat=True))
    assert "吊销 API 令牌" in messages


def test_a_user_cannot_revoke_another_users_token(personas):
    token, _raw = services.api_token_create(user=personas.consultant_b, name="乙的脚本")

    with pytest.raises(NotFound):
        services.api_token_revoke(user=personas.consultant_a, token_id=token.pk)

    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_a_revoked_token_is_refused(personas):
    token, _raw = services.api_token_create(user=personas.consultant_a, name="脚本")
    services.api_token_revoke(user=personas.consultant_a, token_id=token.pk)

    with pytest.raises(ValidationError):
        services.api_token_revoke(user=personas.consultant_a, token_id=token.pk)
