"""Request facts that security decisions rest on."""

from django.conf import settings
from django.http import HttpRequest


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
