"""The registry of import kinds. Apps register theirs with `@register` from their own modules
(`pipeline/import_kinds/`, `members/import_kinds.py`).

@register
class CustomerImport(ImportKind):
    name = "customers"
    ...
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from opscenter.imports.exceptions import MappingError

_KINDS: dict[str, type] = {}


def register(kind: type) -> type:
    """Class decorator: make `kind` importable under `kind.name` (names are unique)."""
    existing = _KINDS.get(kind.name)
    if existing is not None and existing is not kind:
        raise ValueError(f"import kind {kind.name!r} is already registered by {existing.__module__}")
    _KINDS[kind.name] = kind
    return kind


def _spelling(name: str) -> str:
    return "".join(ch for ch in str(name).strip().lower() if ch not in "-_ ")


def kind_name(name: str) -> str | None:
    """The registered name a user meant: the name itself, hyphenated or not (`follow-ups`), in
    any case, or the kind's Chinese label (`回访`); None when nothing matches."""
    if name in _KINDS:
        return name
    wanted = _spelling(name)
    for registered, kind in _KINDS.items():
        if wanted in (_spelling(registered), _spelling(kind.label_zh)):
            return registered
    return None


def get_kind(name: str):
    """An instance of the registered kind `name` (see `kind_name` for the spellings accepted), or
    MappingError listing the known kinds."""
    registered = kind_name(name)
    if registered is None:
        known = _("、").join(
            _("%(k)s（%(label_zh)s）") % {"k": k, "label_zh": c.label_zh} for k, c in sorted(_KINDS.items())
        )
        raise MappingError(
            _("未知的导入类型“%(name)s”，可选：%(known)s") % {"name": name, "known": known},
            log_message=f"unknown kind {name!r}",
        )
    return _KINDS[registered]()


def all_kinds() -> list[type]:
    return [_KINDS[name] for name in sorted(_KINDS)]
