"""Saved list filters: a user's named query strings for one list page (filters live in the URL)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SavedFilter(models.Model):
    """A named set of filters (the list's query string) a user saved for one list page.

    `list_key` names the list (`pipeline:customer_list`, the URL name); `query` is the query
    string without the page number, so opening a saved filter reproduces the list exactly as it
    was filtered and sorted. Private to its user.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_filters",
        verbose_name=_("用户"),
    )
    list_key = models.CharField(_("列表"), max_length=80)
    name = models.CharField(_("名称"), max_length=60)
    query = models.CharField(_("筛选条件"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("常用筛选")
        verbose_name_plural = _("常用筛选")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "list_key", "name"], name="saved_filter_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
