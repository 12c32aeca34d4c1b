"""What an upload really is, checked before any parser touches it.

The extension says what the user thinks the file is; the first bytes say what it is. Both must
agree on a spreadsheet type. Zip containers (.xlsx) are decompressed once here, in chunks, with a
running cap on the total and on the compression ratio, so a zip bomb is refused before calamine
inflates it (declared sizes in a zip can lie; the stream cannot).
"""

from __future__ import annotations

import codecs
import io
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from opscenter.imports import constants as C
from opscenter.imports.exceptions import UnreadableFile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EXCEL_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".et", ".ods"}
TEXT_EXTENSIONS = {".csv", ".txt", ".tsv"}
_CHUNK = 1024 * 1024

Source = str | os.PathLike | bytes | IO[bytes]


@dataclass(frozen=True)
class Limits:
    """Safety caps; `from_settings()` reads OPSCENTER_IMPORT_* overrides from Django settings."""

    max_file_bytes: int = C.MAX_FILE_BYTES
    max_cell_chars: int = C.MAX_CELL_CHARS
    max_unzipped_bytes: int = C.MAX_UNZIPPED_BYTES
    max_compression_ratio: int = C.MAX_COMPRESSION_RATIO
    max_zip_members: int = C.MAX_ZIP_MEMBERS

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(
            max_file_bytes=getattr(settings, "OPSCENTER_IMPORT_MAX_FILE_BYTES", C.MAX_FILE_BYTES),
            max_cell_chars=getattr(settings, "OPSCENTER_IMPORT_MAX_CELL_CHARS", C.MAX_CELL_CHARS),
            max_unzipped_bytes=getattr(settings, "OPSCENTER_IMPORT_MAX_UNZIPPED_BYTES", C.MAX_UNZIPPED_BYTES),
            max_compression_ratio=getattr(
                settings, "OPSCENTER_IMPORT_MAX_COMPRESSION_RATIO", C.MAX_COMPRESSION_RATIO
            ),
        )


def open_source(source: Source) -> IO[bytes]:
    """A seekable binary handle on the source (the caller closes it)."""
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source)
    if isinstance(source, str | os.PathLike):
        try:
            return open(source, "rb")
        except OSError as exc:
            raise UnreadableFile(_("无法打开文件"), log_message=f"cannot open {source}: {exc}") from exc
    source.seek(0)
    return source


def source_size(handle: IO[bytes]) -> int:
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    return size


def detect_format(handle: IO[bytes], filename: str, limits: Limits) -> str:
    """'xlsx', 'xls', 'ods' or 'csv' — or UnreadableFile with a message the user can act on."""
    size = source_size(handle)
    if size > limits.max_file_bytes:
        raise UnreadableFile(
            _("文件过大（%(value)s MB），上限为 %(value2)s MB，请拆分后再导入")
            % {"value": format(size / 1048576, ".1f"), "value2": limits.max_file_bytes // 1048576},
            log_message=f"file too large: {size} bytes",
        )
    ext = Path(filename or "").suffix.lower()
    head = handle.read(8)
    handle.seek(0)
    if ext not in EXCEL_EXTENSIONS | TEXT_EXTENSIONS:
        raise UnreadableFile(
            _("不支持的文件类型“%(value)s”：请上传 Excel（.xlsx / .xls）或 CSV 文件")
            % {"value": ext or filename},
            log_message=f"unsupported extension {ext!r}",
        )
    if head.startswith(ZIP_MAGIC):
        if ext in TEXT_EXTENSIONS:
            raise _mismatch(filename)
        kind = check_zip(handle, limits)
        handle.seek(0)
        return kind
    if head.startswith(OLE_MAGIC):
        if ext in TEXT_EXTENSIONS:
            raise _mismatch(filename)
        return "xls"
    if ext in EXCEL_EXTENSIONS:
        sample = handle.read(512).lstrip().lower()
        handle.seek(0)
        if sample.startswith((b"<html", b"<!doctype", b"<table", b"<?xml")):
            raise UnreadableFile(
                _("“%(filename)s”是网页格式伪装的 Excel 文件，请在 Excel 中另存为 .xlsx 后再导入")
                % {"filename": filename},
                log_message="html disguised as excel",
            )
        raise _mismatch(filename)
    if not _is_utf16(handle):
        handle.seek(0)
        if b"\x00" in handle.read(4096):
            handle.seek(0)
            raise UnreadableFile(
                _("“%(filename)s”不是文本表格（CSV）文件") % {"filename": filename},
                log_message="binary content with a text extension",
            )
    handle.seek(0)
    return "csv"


def _is_utf16(handle: IO[bytes]) -> bool:
    handle.seek(0)
    return handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _mismatch(filename: str) -> UnreadableFile:
    return UnreadableFile(
        _("“%(filename)s”不是有效的表格文件（文件内容与扩展名不符），请上传 Excel 或 CSV 文件")
        % {"filename": filename},
        log_message="content does not match the extension",
    )


def check_zip(handle: IO[bytes], limits: Limits) -> str:
    """Inflate every member in chunks under the caps; 'xlsx' or 'ods' if it is a spreadsheet zip."""
    bomb = UnreadableFile(
        _("文件解压后体积异常（疑似压缩炸弹），已拒绝导入"), log_message="zip bomb guard tripped"
    )
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableFile(_("Excel 文件已损坏，无法读取"), log_message=f"bad zip: {exc}") from exc
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_zip_members:
            raise bomb
        names = {m.filename for m in members}
        if "xl/workbook.xml" in names:
            kind = "xlsx"
        elif "content.xml" in names and "mimetype" in names:
            kind = "ods"
        else:
            raise UnreadableFile(
                _("文件不是 Excel 表格（压缩包中没有工作簿）"), log_message="zip without a workbook"
            )
        if sum(m.file_size for m in members) > limits.max_unzipped_bytes:
            raise bomb
        total = 0
        for member in members:
            inflated = 0
            try:
                with archive.open(member) as stream:
                    while chunk := stream.read(_CHUNK):
                        inflated += len(chunk)
                        total += len(chunk)
                        if total > limits.max_unzipped_bytes or (
                            inflated > _CHUNK
                            and inflated > limits.max_compression_ratio * max(member.compress_size, 1)
                        ):
                            raise bomb
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
                raise UnreadableFile(
                    _("Excel 文件已损坏或已加密，无法读取"),
                    log_message=f"bad zip member {member.filename}: {exc}",
                ) from exc
    return kind


# --- text files -------------------------------------------------------------------------------
def detect_encoding(handle: IO[bytes]) -> str:
    """utf-8-sig / utf-16 by BOM; else utf-8 if the whole file decodes; else gb18030 (⊃ GBK ⊃ GB2312)."""
    handle.seek(0)
    head = handle.read(4)
    handle.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(handle, "utf-8"):
        return "utf-8"
    _refuse_mixed_encodings(handle)
    if _decodes(handle, "gb18030"):
        return "gb18030"
    raise UnreadableFile(
        _("无法识别文件编码：请将 CSV 另存为 UTF-8 或 GBK 编码"), log_message="neither utf-8 nor gb18030"
    )


def _refuse_mixed_encodings(handle: IO[bytes]) -> None:
    """A file that is not UTF-8 as a whole but has UTF-8 Chinese lines mixes encodings (rows pasted
    together from different exports): read as GBK its UTF-8 lines would be garbage — a header no
    column matches — so say which lines differ instead."""
    utf8_line = gbk_line = None
    handle.seek(0)
    for number, line in enumerate(handle, start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            gbk_line = gbk_line or number
        else:
            utf8_line = utf8_line or number
        if utf8_line and gbk_line:
            handle.seek(0)
            raise UnreadableFile(
                _(
                    "文件混用了两种编码：第 %(utf8_line)s 行是 UTF-8，第 %(gbk_line)s 行是 GBK。请在 Excel 或 WPS 中打开后统一另存为 UTF-8 编码的 CSV 再上传"
                )
                % {"utf8_line": utf8_line, "gbk_line": gbk_line},
                log_message=f"mixed encodings: utf-8 line {utf8_line}, other line {gbk_line}",
            )
    handle.seek(0)


def _decodes(handle: IO[bytes], encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    handle.seek(0)
    try:
        while chunk := handle.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        handle.seek(0)
    return True


def count_lines(handle: IO[bytes]) -> int:
    """Physical line count (the progress bar's total for CSV files)."""
    handle.seek(0)
    lines, last = 0, b""
    while chunk := handle.read(_CHUNK):
        lines += chunk.count(b"\n")
        last = chunk
    handle.seek(0)
    return lines + (1 if last and not last.endswith(b"\n") else 0)
