"""Pipeline-specific domain errors (subclasses of the core ones, so the API and views map them)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core.exceptions import DomainError, ValidationError


class DuplicateCustomer(ValidationError):
    """The phone number is already registered at this site: says who owns that customer instead."""

    def __init__(
        self,
        *,
        customer_id: int,
        site_name: str,
        owner_id: int | None,
        owner_name: str | None,
        protected_until: dt.datetime | None,
        can_claim: bool,
    ):
        self.customer_id = customer_id
        self.site_name = site_name
        self.owner_id = owner_id
        self.owner_name = owner_name
        self.protected_until = protected_until
        self.can_claim = can_claim
        owner = (
            _("归属咨询师：%(owner_name)s") % {"owner_name": owner_name}
            if owner_name
            else _("目前无归属咨询师")
        )
        if protected_until is not None and not can_claim:
            window = _("，保护期至 %(localtime)s") % {
                "localtime": format(timezone.localtime(protected_until), "%Y-%m-%d")
            }
        elif can_claim:
            window = _("，已过保护期，可申请认领")
        else:
            window = ""
        super().__init__(
            _("该电话已在%(site_name)s登记为客户（%(owner)s%(window)s），不能重复登记")
            % {"site_name": site_name, "owner": owner, "window": window},
            field="phone",
            log_message=f"duplicate customer {customer_id} (owner {owner_id}) at {site_name}",
        )


class OwnershipProtected(DomainError):
    """Another consultant tried to take a customer inside the owner's protection window."""

    def __init__(self, *, owner_name: str, protected_until: dt.datetime, customer_id: int):
        self.owner_name = owner_name
        self.protected_until = protected_until
        self.customer_id = customer_id
        super().__init__(
            _(
                "该客户归属咨询师%(owner_name)s，保护期至 %(localtime)s，期间其他咨询师不能接手；如需改派请联系主管"
            )
            % {
                "owner_name": owner_name,
                "localtime": format(timezone.localtime(protected_until), "%Y-%m-%d"),
            },
            field="owner",
            log_message=f"customer {customer_id} protected until {protected_until.isoformat()}",
        )
