"""Writes owned by core: a user's interface language and their API tokens.

Error messages are Chinese source strings marked for translation, so an English user reads English.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.core.audit import record_event
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.core.models import ApiToken, SavedFilter, User

API_TOKEN_NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length
API_TOKEN_PREFIX_LENGTH = ApiToken._meta.get_field("prefix").max_length
# Enough for every script a person runs; more usually means tokens are not being revoked.
API_TOKENS_ACTIVE_LIMIT = 20


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """Save the user's interface language; it wins over cookie and browser on every later request."""
    codes = {code for code, _name in settings.LANGUAGES}
    if language not in codes:
        raise ValidationError(
            _("不支持该界面语言"), field="language", log_message=f"unsupported language {language!r}"
        )
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the record and the raw token, which is never stored or logged.

    Only the SHA-256 digest is kept, so the caller must show the raw token to the user now.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写令牌名称"), field="name")
    if len(name) > API_TOKEN_NAME_MAX_LENGTH:
        raise ValidationError(
            _("令牌名称不能超过 %(max)d 个字符") % {"max": API_TOKEN_NAME_MAX_LENGTH}, field="name"
        )
    if not user.is_active:
        raise ValidationError(_("已停用的账号不能创建令牌"), log_message=f"inactive user {user.pk}")
    active = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    if active.count() >= API_TOKENS_ACTIVE_LIMIT:
        raise ValidationError(
            _("有效令牌最多 %(limit)d 个，请先吊销不再使用的令牌") % {"limit": API_TOKENS_ACTIVE_LIMIT},
            field="name",
            log_message=f"user {user.pk} reached the API token limit",
        )
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:API_TOKEN_PREFIX_LENGTH], digest=ApiToken.hash(raw)
    )
    record_event(token, gettext_noop("创建 API 令牌"))
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens. Someone else's token is reported as not found."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound(
            _("令牌不存在或无权操作"), log_message=f"token {token_id} not found for user {user.pk}"
        )
    if token.revoked_at is not None:
        raise ValidationError(_("该令牌已吊销"), log_message=f"token {token_id} already revoked")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(token, gettext_noop("吊销 API 令牌"), {"revoked_at": [None, token.revoked_at.isoformat()]})
    return token


SAVED_FILTER_NAME_MAX_LENGTH = 60
SAVED_FILTERS_PER_LIST = 30


@transaction.atomic
def saved_filter_save(*, user: User, list_key: str, name: str, query: str) -> SavedFilter:
    """Save (or overwrite, by name) the user's filters of one list. `query` is the list's query
    string; the page number and print/format switches are dropped, the sort order is kept."""
    from opscenter.core.lists import filter_query

    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写筛选名称"), field="name")
    if len(name) > SAVED_FILTER_NAME_MAX_LENGTH:
        raise ValidationError(
            _("筛选名称不能超过 %(max)d 个字") % {"max": SAVED_FILTER_NAME_MAX_LENGTH}, field="name"
        )
    query = filter_query(query or "")
    if len(query) > SavedFilter._meta.get_field("query").max_length:
        raise ValidationError(_("筛选条件过长，无法保存"), field="query")
    existing = SavedFilter.objects.select_for_update().filter(user=user, list_key=list_key, name=name).first()
    if existing is not None:
        existing.query = query
        existing.save(update_fields=["query"])
        return existing
    if SavedFilter.objects.filter(user=user, list_key=list_key).count() >= SAVED_FILTERS_PER_LIST:
        raise ValidationError(
            _("每个列表最多保存 %(limit)d 个常用筛选，请先删除不用的") % {"limit": SAVED_FILTERS_PER_LIST},
            field="name",
        )
    return SavedFilter.objects.create(user=user, list_key=list_key, name=name, query=query)


@transaction.atomic
def saved_filter_delete(*, user: User, saved_filter_id: int) -> SavedFilter:
    """Delete one of the user's own saved filters; someone else's is reported as not found."""
    saved = SavedFilter.objects.filter(pk=saved_filter_id, user=user).first()
    if saved is None:
        raise NotFound(_("常用筛选不存在"), log_message=f"saved filter {saved_filter_id} not the user's")
    saved.delete()
    return saved


def _validated_password(password: str, *, user: User, field: str) -> str:
    """The password if it passes AUTH_PASSWORD_VALIDATORS (length, common, numeric, like the name)."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError as DjangoValidationError

    if not password:
        raise ValidationError(_("请填写新密码"), field=field)
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationError(" ".join(exc.messages), field=field, log_message="password refused") from exc
    return password


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """The signed-in user changes their own password: the current one is checked, the new one must
    pass the validators. Audited (without the password); other sessions of the user end, because
    Django ties a session to the password hash (the view keeps the current one signed in)."""
    if not user.check_password(old_password or ""):
        raise ValidationError(_("当前密码不正确"), field="old_password", log_message="wrong old password")
    user.set_password(_validated_password(new_password, user=user, field="new_password"))
    user.save(update_fields=["password"])
    record_event(user, _("本人修改了登录密码"))
    return user


@transaction.atomic
def password_reset(*, actor: User, user: User, new_password: str) -> User:
    """An administrator sets a user's password (the caller has checked that `actor` may: see
    `org.services.staff_password_reset`). The user's sessions end and a login lockout on the
    account is lifted. Audited with who did it, never the password."""
    from axes.models import AccessAttempt

    user.set_password(_validated_password(new_password, user=user, field="new_password"))
    user.save(update_fields=["password"])
    AccessAttempt.objects.filter(username=user.username).delete()
    record_event(user, _("登录密码由管理员 %(actor)s 重置") % {"actor": actor})
    return user
