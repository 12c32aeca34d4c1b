"""Header → field mapping: normalize header texts and match them against each field's aliases.

Pure functions over plain values. A saved `ColumnMapping` (header → field name) wins over the
aliases; headers that match nothing are reported as unknown columns, never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from opscenter.imports.values import normalize_key

# "联系电话(家属)" → also try "联系电话"; "*姓名" (required marker) → "姓名"; "金额（元）" → "金额".
_BRACKETS = re.compile(r"[(\[【].*?[)\]】]")  # i18n: data
_MARKERS = re.compile(r"^[*※#]+|[*※:：]+$")  # i18n: data


def header_key(text: object) -> str:
    """The comparison key of a header cell: NFKC, lower case, no spaces or required markers."""
    return _MARKERS.sub("", normalize_key(text))


def header_keys(text: object) -> tuple[str, ...]:
    """Keys to try for a header, most specific first: as written, then without the bracketed part."""
    key = header_key(text)
    bare = _MARKERS.sub("", _BRACKETS.sub("", key))
    return (key, bare) if bare and bare != key else (key,)


@dataclass(frozen=True)
class MappingResult:
    """Column index → field name, plus what could not be mapped."""

    columns: dict[int, str]
    headers: list[str]
    unknown: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    def as_header_map(self) -> dict[str, str]:
        """Header text → field name: what is saved as the mapping used."""
        return {self.headers[i]: name for i, name in self.columns.items()}


def alias_index(aliases: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Normalized alias → field name (the field's own name is an alias of itself)."""
    index: dict[str, str] = {}
    for name, names in aliases.items():
        for alias in (name, *names):
            index.setdefault(header_key(alias), name)
    return index


def map_headers(
    headers: Sequence[str],
    aliases: Mapping[str, Iterable[str]],
    *,
    required: Iterable[str] = (),
    saved: Mapping[str, str] | None = None,
) -> MappingResult:
    """Map each header to a field: the saved mapping first, then aliases. `saved` may map a header
    to "" to ignore that column on purpose. A field is taken by its first matching column; later
    columns for the same field are reported as duplicates."""
    index = alias_index(aliases)
    saved_keys = {header_key(h): f for h, f in (saved or {}).items()}
    columns: dict[int, str] = {}
    taken: set[str] = set()
    unknown: list[str] = []
    duplicates: list[str] = []
    for i, header in enumerate(headers):
        if not header_key(header):
            continue
        keys = header_keys(header)
        target = next((saved_keys[k] for k in keys if k in saved_keys), None)
        if target == "":
            continue
        if target is None or target not in aliases:
            target = next((index[k] for k in keys if k in index), None)
        if target is None:
            unknown.append(header)
        elif target in taken:
            duplicates.append(header)
        else:
            columns[i] = target
            taken.add(target)
    missing = [name for name in required if name not in taken]
    return MappingResult(columns, list(headers), unknown, missing, duplicates)
