"""Token authentication for the API: `Authorization: Bearer <token>` (or a signed-in session)."""

from django.utils import timezone
from ninja.security import HttpBearer

from opscenter.core.audit import Actor, _current
from opscenter.core.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        record = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.hash(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if record is None:
            return None
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
        request.user = record.user
        _current.set(Actor(user=record.user, source="api"))
        return record.user
