"""The one list helper every list page uses: column sorting from the URL, paging, the print view,
and the user's saved filters.

A list page declares its columns once (`Column`: key, label, the ORM fields it sorts by) and calls
`list_page(request, qs, columns=…, list_key=…)`. Everything the user chose lives in the query
string — filters (the page's own form), `sort` (`name` or `-name`), `page`, `print=1` — so a URL
reproduces the list, a saved filter is just a named query string (`core.SavedFilter`), and the
Excel export takes the same URL. Templates render the header with
`includes/list_head.html` and the tools (print, saved filters) with `includes/list_tools.html`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.functional import Promise

PAGE_SIZE = 50
PRINT_LIMIT = 2000  # the print view shows every row on one page, up to this many
# Query parameters that are not filters: left out of saved filters and of the sort links' base.
NOT_FILTERS = ("page", "print", "format", "sort")


@dataclass(frozen=True)
class Column:
    """One column of a list. `order_by` empty = not sortable; `num` right-aligns; `css` adds a
    class to the header and cells (e.g. `col-optional`, hidden on narrow tablets)."""

    key: str
    label: str | Promise
    order_by: tuple[str, ...] = ()
    num: bool = False
    css: str = ""

    @property
    def sortable(self) -> bool:
        return bool(self.order_by)


@dataclass(frozen=True)
class Header:
    column: Column
    url: str
    aria_sort: str  # "ascending" / "descending" / "none" (sortable) / "" (not sortable)

    @property
    def label(self) -> str | Promise:
        return self.column.label


@dataclass
class ListPage:
    """What a list template needs: the page of rows, the headers with their sort links, the
    query strings to keep (for paging, export and saving), the print flag and saved filters."""

    page: Page
    headers: list[Header]
    sort: str
    query: str  # the current query string without `page` (pager links, export)
    filter_query: str  # without page / print / format / sort: what "clear sort" keeps
    print_view: bool
    list_key: str
    saved_filters: list[Any] = field(default_factory=list)

    @property
    def rows(self):
        return self.page.object_list

    @property
    def count(self) -> int:
        return self.page.paginator.count


def _without(query: QueryDict, *names: str) -> QueryDict:
    copy = query.copy()
    for name in names:
        copy.pop(name, None)
    return copy


def parse_sort(value: str | None, columns: Sequence[Column], default: str) -> str:
    """The requested sort if it names a sortable column (`key` or `-key`), else the default."""
    key = (value or "").strip()
    sortable = {c.key for c in columns if c.sortable}
    return key if key.removeprefix("-") in sortable else default


def apply_sort(qs: QuerySet, sort: str, columns: Sequence[Column]) -> QuerySet:
    """Order by the column's fields (all descending for `-key`), then by primary key so pages are
    stable however many rows tie."""
    by_key = {c.key: c for c in columns}
    column = by_key.get(sort.removeprefix("-"))
    if column is None or not column.sortable:
        return qs
    descending = sort.startswith("-")
    fields = [f"-{f}" if descending else f for f in column.order_by]
    return qs.order_by(*fields, "-pk" if descending else "pk")


def list_page(
    request: HttpRequest,
    qs: QuerySet,
    *,
    columns: Sequence[Column],
    list_key: str,
    default_sort: str,
    page_size: int = PAGE_SIZE,
) -> ListPage:
    """Sort, page (or, for `print=1`, show everything up to PRINT_LIMIT) and describe the list."""
    sort = parse_sort(request.GET.get("sort"), columns, default_sort)
    qs = apply_sort(qs, sort, columns)
    print_view = request.GET.get("print") == "1"
    paginator = Paginator(qs, PRINT_LIMIT if print_view else page_size)
    page = paginator.get_page(1 if print_view else request.GET.get("page"))
    query = _without(request.GET, "page")
    base = _without(request.GET, "page", "sort", "print", "format")
    headers = []
    for column in columns:
        if not column.sortable:
            headers.append(Header(column, "", ""))
            continue
        current = sort.removeprefix("-") == column.key
        descending = sort.startswith("-")
        target = base.copy()
        # A click on the sorted column flips it; on another column sorts ascending.
        target["sort"] = f"-{column.key}" if current and not descending else column.key
        aria = ("descending" if descending else "ascending") if current else "none"
        headers.append(Header(column, f"?{target.urlencode()}", aria))
    saved = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and not print_view:
        from opscenter.core.selectors import saved_filter_list

        saved = list(saved_filter_list(user=user, list_key=list_key))
    return ListPage(
        page=page,
        headers=headers,
        sort=sort,
        query=query.urlencode(),
        filter_query=_without(request.GET, *NOT_FILTERS).urlencode(),
        print_view=print_view,
        list_key=list_key,
        saved_filters=saved,
    )


def filter_query(query: str) -> str:
    """A query string as a saved filter keeps it: without page, print and format (sort is kept)."""
    parsed = QueryDict(query.lstrip("?"), mutable=True)
    for name in ("page", "print", "format"):
        parsed.pop(name, None)
    return parsed.urlencode()
