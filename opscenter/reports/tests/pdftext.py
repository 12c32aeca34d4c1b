"""Just enough PDF text extraction for the tests: WeasyPrint's uncompressed output, Type0 fonts
with ToUnicode maps (`write_pdf(uncompressed_pdf=True)`). Returns the shown strings in order."""

from __future__ import annotations

import re

_OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_FONT = re.compile(rb"/Type\s*/Font\s*/Subtype\s*/Type0\s*/BaseFont\s*/([A-Z]{6})\+[^/]*/ToUnicode (\d+) 0 R")
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_PAIR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
_RANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
_OPS = re.compile(rb"/([A-Z]{6}) [\d.]+ Tf|\[([^\[\]]*)\]\s*TJ")
_HEX = re.compile(rb"<([0-9a-fA-F]*)>")


def _unicode(hexstr: bytes) -> str:
    raw = bytes.fromhex(hexstr.decode())
    return raw.decode("utf-16-be", errors="replace")


def _cmap(body: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    for block in _BFCHAR.findall(body):
        for gid, uni in _PAIR.findall(block):
            out[int(gid, 16)] = _unicode(uni)
    for block in _BFRANGE.findall(body):
        for lo, hi, uni in _RANGE.findall(block):
            start = ord(_unicode(uni)[0])
            for i, gid in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[gid] = chr(start + i)
    return out


def pdf_text(pdf: bytes) -> list[str]:
    objects = {int(n): body for n, body in _OBJ.findall(pdf)}
    fonts = {}
    for body in objects.values():
        for name, ref in _FONT.findall(body):
            fonts[name] = _cmap(objects.get(int(ref), b""))
    pieces: list[str] = []
    for body in objects.values():
        if b"stream" not in body or b" TJ" not in body:
            continue
        current: dict[int, str] = {}
        for match in _OPS.finditer(body):
            if match.group(1):
                current = fonts.get(match.group(1), {})
                continue
            text = ""
            for hexstr in _HEX.findall(match.group(2)):
                for i in range(0, len(hexstr), 4):
                    text += current.get(int(hexstr[i : i + 4], 16), "?")
            pieces.append(text)
    return pieces
