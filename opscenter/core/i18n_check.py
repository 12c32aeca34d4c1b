"""Is the English interface complete? Finds Chinese that would reach an English reader untranslated.

Source strings are Chinese and go through gettext; this module checks that they do, and that the
English catalogue translates every one of them. `make test` runs it (core/tests/test_i18n.py);
`python -m opscenter.core.i18n_check` lists what it finds, one `path:line: reason` a line.

The rules, precisely:

**Templates** (every `*.html` under the template directory). Lexed with Django's own template
lexer, so only what a reader sees is checked:
- text nodes, which include HTML attribute values and inline scripts, must hold no Chinese outside
  `{% blocktranslate %}…{% endblocktranslate %}` and `{% comment %}` blocks and `<!-- -->`;
- inside `{{ … }}` and other `{% … %}` tags, Chinese may appear only in a `_("…")` literal (and
  as the argument of `{% translate %}`);
- data (people's names come from variables, so never appear here) can be exempted on its line with
  the comment `{# i18n: data #}`.

**Python modules** of the package. A string literal (or f-string) containing Chinese must be the
argument of a gettext function (`_`, `gettext`, `gettext_lazy`, `pgettext`, `ngettext`,
`gettext_noop`, …), except:
- docstrings, the `log_message=` of a domain error and arguments of `logger.*()` calls (English
  logs, never shown);
- modules that are not the running interface: migrations, tests, management commands (Django
  runs them with translation deactivated: the command line speaks the source language), the demo
  data generators (`demo/` packages and `demo.py` modules), `core/testing*.py`, `settings.py`;
- data: a statement carrying the comment `# i18n: data` (on any of its lines; for `if`/`for`/…
  on the header lines) or a module with a line `# i18n: data module` — spreadsheet header
  aliases, synonyms matched against imported text, text stored in the database.
F-strings are always findings when they hold Chinese (gettext cannot look them up: use
`_("…%(name)s…") % {…}`).

**The catalogue** `locale/en/LC_MESSAGES/django.po`: no entry untranslated or fuzzy, and every
msgid the code and templates use has a translated entry (so a string wrapped but never extracted
fails too).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATES = PACKAGE / "templates"
CATALOGUE = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
GETTEXT = frozenset(
    {
        "_",
        "gettext",
        "gettext_lazy",
        "gettext_noop",
        "pgettext",
        "pgettext_lazy",
        "ngettext",
        "ngettext_lazy",
        "npgettext",
        "npgettext_lazy",
    }
)
LOG_METHODS = frozenset({"debug", "info", "warning", "error", "exception", "critical", "log"})
DATA_MARK = "# i18n: data"
DATA_MODULE_MARK = "# i18n: data module"
TEMPLATE_DATA_MARK = "{# i18n: data #}"


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(PACKAGE.parent))
    except ValueError:
        return str(path)


# --- Python -----------------------------------------------------------------------------------


def python_exempt(path: Path) -> bool:
    """Modules that are not the running interface (see the module docstring)."""
    parts = path.relative_to(PACKAGE).parts
    name = parts[-1]
    return (
        "migrations" in parts
        or "tests" in parts
        or ("management" in parts and "commands" in parts)
        or "demo" in parts
        or name == "demo.py"
        or (parts[0] == "core" and name.startswith("testing"))
        or parts == ("settings.py",)
    )


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _is_log_call(node: ast.Call) -> bool:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in LOG_METHODS:
        return False
    owner = func.value
    name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
    return "log" in name.lower()


def _header_span(stmt: ast.stmt) -> tuple[int, int]:
    """Lines a `# i18n: data` mark must be on to cover a literal directly in `stmt`."""
    body = getattr(stmt, "body", None)
    end = stmt.end_lineno or stmt.lineno
    if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
        end = max(stmt.lineno, body[0].lineno - 1)
    return stmt.lineno, end


def python_source_findings(source: str, path: str = "<string>") -> list[Finding]:
    """Chinese string literals of one module that are not wrapped in gettext (rules above)."""
    lines = source.splitlines()
    if any(line.strip().startswith(DATA_MODULE_MARK) for line in lines):
        return []
    tree = ast.parse(source)
    skip: set[int] = set()
    marked: set[int] = {i + 1 for i, line in enumerate(lines) if DATA_MARK in line}
    owner: dict[int, ast.stmt] = {}

    def visit(node: ast.AST, stmt: ast.stmt | None) -> None:
        for child in ast.iter_child_nodes(node):
            current = child if isinstance(child, ast.stmt) else stmt
            if current is not None:
                owner[id(child)] = current
            visit(child, current)

    visit(tree, None)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))
        elif isinstance(node, ast.Call) and (_call_name(node.func) in GETTEXT or _is_log_call(node)):
            if _call_name(node.func) in GETTEXT:
                args = [a for a in node.args if not isinstance(a, ast.JoinedStr)]
            else:
                args = [*node.args, *(k.value for k in node.keywords)]
            for arg in args:
                skip.update(id(sub) for sub in ast.walk(arg))
        elif isinstance(node, ast.keyword) and node.arg == "log_message":
            skip.update(id(sub) for sub in ast.walk(node.value))

    findings = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            reason = "f-string with Chinese: use _('…%(name)s…') % {…}"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            reason = "Chinese string not wrapped in gettext"
        else:
            continue
        if not CJK.search(text):
            continue
        stmt = owner.get(id(node))
        if stmt is not None:
            first, last = _header_span(stmt)
            if any(first <= n <= last for n in marked):
                continue
        findings.append(Finding(path, node.lineno, f"{reason}: {text[:40]!r}"))
    return findings


def python_findings(root: Path = PACKAGE) -> list[Finding]:
    findings = []
    for path in sorted(root.rglob("*.py")):
        if python_exempt(path):
            continue
        findings += python_source_findings(path.read_text(encoding="utf-8"), _rel(path))
    return findings


def python_msgids(source: str) -> Iterator[tuple[str, str]]:
    """(context, msgid) of every gettext call with literal arguments in a module."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or _call_name(node.func) not in GETTEXT:
            continue
        name = _call_name(node.func)
        consts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if name.startswith("np") or name.startswith("p"):
            if len(consts) >= 2:
                yield consts[0], consts[1]
        elif consts:
            yield "", consts[0]
            if name.startswith("n") and len(consts) >= 2:
                yield "", consts[1]


# --- templates --------------------------------------------------------------------------------

_TRANSLATED_LITERAL = re.compile(r"""_\(\s*(?:"[^"]*"|'[^']*')\s*\)""")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


def template_source_findings(source: str, path: str = "<template>") -> list[Finding]:
    """Chinese a reader would see untranslated in one template (rules above)."""
    from django.template.base import Lexer, TokenType

    data_lines = {i + 1 for i, line in enumerate(source.splitlines()) if TEMPLATE_DATA_MARK in line}
    findings = []
    in_blocktrans = in_comment = False
    for token in Lexer(source).tokenize():
        contents = token.contents
        bits = contents.split()
        tag = bits[0] if token.token_type == TokenType.BLOCK and bits else ""
        if in_comment:
            in_comment = tag != "endcomment"
            continue
        if in_blocktrans:
            in_blocktrans = tag not in ("endblocktrans", "endblocktranslate")
            continue
        if tag == "comment":
            in_comment = True
            continue
        if tag in ("blocktrans", "blocktranslate"):
            in_blocktrans = True
            continue
        if tag in ("trans", "translate") or token.token_type == TokenType.COMMENT:
            continue
        if token.token_type == TokenType.TEXT:
            text, where = _HTML_COMMENT.sub("", contents), "text"
        else:
            text, where = _TRANSLATED_LITERAL.sub("", contents), "tag"
        match = CJK.search(text)
        if not match:
            continue
        line = token.lineno + text[: match.start()].count("\n")
        if line in data_lines:
            continue
        snippet = text[match.start() : match.start() + 30].split("\n")[0]
        findings.append(Finding(path, line, f"Chinese {where} outside a translation tag: {snippet!r}"))
    return findings


def template_findings(root: Path = TEMPLATES) -> list[Finding]:
    findings = []
    for path in sorted(root.rglob("*.html")):
        findings += template_source_findings(path.read_text(encoding="utf-8"), _rel(path))
    return findings


_TEMPLATIZED = re.compile(
    r"""\b(gettext|pgettext|ngettext|npgettext|_)\(((?:\s*u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*,?)+)"""
)
_LITERAL = re.compile(r"""u?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")


def template_msgids(source: str) -> Iterator[tuple[str, str]]:
    """(context, msgid) of every translation in a template, as makemessages extracts them."""
    from django.utils.translation.template import templatize

    for match in _TEMPLATIZED.finditer(templatize(source)):
        name = match.group(1)
        literals = [ast.literal_eval(lit) for lit in _LITERAL.findall(match.group(2))]
        if name in ("pgettext", "npgettext"):
            if len(literals) >= 2:
                yield literals[0], literals[1]
                if name == "npgettext" and len(literals) >= 3:
                    yield literals[0], literals[2]
        elif literals:
            yield from (("", lit) for lit in literals[: 2 if name == "ngettext" else 1])


# --- the catalogue ----------------------------------------------------------------------------


@dataclass
class Entry:
    msgctxt: str
    msgid: str
    msgstrs: list[str]
    fuzzy: bool
    line: int


def _unquote(rest: str) -> str:
    return ast.literal_eval(rest.strip()) if rest.strip() else ""


def read_catalogue(path: Path = CATALOGUE) -> list[Entry]:
    """The live entries of a .po file: blocks separated by blank lines, as makemessages writes
    them (obsolete `#~` lines and the header left out)."""
    entries = []
    text = path.read_text(encoding="utf-8")
    start = 1
    for block in text.split("\n\n"):
        lines = block.strip("\n").splitlines()
        fields: dict[str, str] = {}
        fuzzy, key = False, ""
        for raw in lines:
            line = raw.strip()
            if line.startswith("#,"):
                fuzzy = fuzzy or "fuzzy" in line
            elif line.startswith("#") or not line:
                continue
            elif line.startswith('"'):
                if key:
                    fields[key] += _unquote(line)
            else:
                key, _, rest = line.partition(" ")
                fields[key] = _unquote(rest)
        if fields.get("msgid"):
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            entries.append(Entry(fields.get("msgctxt", ""), fields["msgid"], strs, fuzzy, start))
        start += block.count("\n") + 2
    return entries


def catalogue_findings(path: Path = CATALOGUE) -> list[Finding]:
    """Entries of the English catalogue that are untranslated or fuzzy."""
    findings = []
    for entry in read_catalogue(path):
        if entry.fuzzy:
            findings.append(Finding(_rel(path), entry.line, f"fuzzy: {entry.msgid[:40]!r}"))
        elif not all(s.strip() for s in entry.msgstrs):
            findings.append(Finding(_rel(path), entry.line, f"untranslated: {entry.msgid[:40]!r}"))
    return findings


def used_msgids() -> dict[tuple[str, str], str]:
    """Every (context, msgid) the package's code and templates translate, with where it is used."""
    used: dict[tuple[str, str], str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "migrations" in parts or "tests" in parts:
            continue
        for key in python_msgids(path.read_text(encoding="utf-8")):
            used.setdefault(key, _rel(path))
    for path in sorted(TEMPLATES.rglob("*.html")):
        for key in template_msgids(path.read_text(encoding="utf-8")):
            used.setdefault(key, _rel(path))
    return used


def missing_msgid_findings(path: Path = CATALOGUE) -> list[Finding]:
    """Strings the code translates that the catalogue has no translated entry for."""
    translated = {(e.msgctxt, e.msgid) for e in read_catalogue(path) if not e.fuzzy and all(e.msgstrs)}
    return [
        Finding(where, 0, f"not in the English catalogue (run makemessages): {msgid[:40]!r}")
        for (context, msgid), where in sorted(used_msgids().items())
        if CJK.search(msgid) and (context, msgid) not in translated
    ]


def all_findings() -> list[Finding]:
    return sorted(python_findings() + template_findings()) + catalogue_findings() + missing_msgid_findings()


if __name__ == "__main__":  # python -m opscenter.core.i18n_check
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opscenter.settings")
    django.setup()
    found = all_findings()
    print("\n".join(str(f) for f in found))
    print(f"{len(found)} finding(s)", file=sys.stderr)
    sys.exit(1 if found else 0)
