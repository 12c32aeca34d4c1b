"""Request facts that security decisions rest on."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone


def client_ip(request: HttpRequest) -> str:
    """The client's address: nginx's X-Real-IP when OPSCENTER_BEHIND_PROXY is on, else REMOTE_ADDR.

    The header is ignored unless the proxy is declared, so a client cannot forge its way past the
    login throttle by sending X-Real-IP itself.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


class AddressThrottleHandler(AxesDatabaseHandler):
    """django-axes' database handler, plus a throttle per address across usernames.

    Axes counts failures per (username, address) and locks that pair after AXES_FAILURE_LIMIT.
    Password spraying tries a few passwords on many accounts from one address and never reaches
    that count; so the failures of all usernames from one address are added up too, and the
    address is locked after OPSCENTER_LOGIN_ADDRESS_FAILURE_LIMIT of them within the cool-off
    time (higher than the per-account limit: an office shares one address behind its NAT).
    """

    def address_failures(self, request) -> int:
        address = getattr(request, "axes_ip_address", None) or client_ip(request)
        since = timezone.now() - settings.AXES_COOLOFF_TIME
        total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
            n=Sum("failures_since_start")
        )["n"]
        return total or 0

    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        if self.address_failures(request) >= settings.OPSCENTER_LOGIN_ADDRESS_FAILURE_LIMIT:
            request.opscenter_address_locked = True
            return max(failures, get_failure_limit(request, credentials))
        return failures
