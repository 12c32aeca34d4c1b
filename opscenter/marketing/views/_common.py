"""What the marketing views share (the pipeline's conventions, reused rather than copied)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest

from opscenter.org.selectors import scope_for, staff_list
from opscenter.pipeline import selectors as pipeline_selectors
from opscenter.pipeline.views._common import domain_errors, done, redirect, writable_sites

__all__ = [
    "domain_errors",
    "done",
    "page_of",
    "redirect",
    "require_view",
    "site_channels",
    "site_staff",
    "writable_sites",
]

PAGE_SIZE = 50


def require_view(request: HttpRequest, perm: str = "marketing.view_campaign") -> None:
    if not scope_for(request.user).can(perm):
        raise DjangoPermissionDenied


def site_channels(user, site_id: int | None = None):
    return pipeline_selectors.channel_list(user=user, site_id=site_id).order_by("sort_order", "name")


def site_staff(user, site_id: int | None = None):
    return staff_list(user=user, site_id=site_id).filter(is_active=True).order_by("name")


def page_of(request: HttpRequest, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
