"""Reads owned by core, scoped to the acting user."""

from __future__ import annotations

from django.db.models import QuerySet

from opscenter.core.models import SavedFilter


def saved_filter_list(*, user, list_key: str) -> QuerySet[SavedFilter]:
    """The user's own saved filters of one list, by name (one query)."""
    return SavedFilter.objects.filter(user=user, list_key=list_key).order_by("name", "id")
