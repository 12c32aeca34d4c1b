"""How long a customer's ownership is protected (渠道归属保护), and why.

The site sets a default (`Site.ownership_protection_days`). Other apps may set it per channel by
registering a source here (marketing: the channel's grade under its grade scheme); the pipeline
never imports them. A source answers (site id, channel id) with a `Protection` or None; the first
answer wins, else the site's default applies. The customer page shows the source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Protection:
    days: int
    source: str  # in people's words, e.g. "渠道分级 B 级（分级方案 v1）"


Source = Callable[..., "Protection | None"]
_SOURCES: list[Source] = []


def register_source(source: Source) -> Source:
    """Add a source `source(*, site_id, channel_id) -> Protection | None` (idempotent)."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def protection_for(customer) -> Protection:
    """The protection window that applies to `customer` (one query per registered source)."""
    if customer.channel_id is not None:
        for source in _SOURCES:
            found = source(site_id=customer.site_id, channel_id=customer.channel_id)
            if found is not None:
                return found
    return Protection(customer.site.ownership_protection_days, _("院区默认保护期"))
