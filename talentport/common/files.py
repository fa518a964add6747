"""Uploaded files: what they are (by their bytes, never their name), whether they are
safe to keep, and how they are handed back.

* :func:`upload_check` detects the type from the magic bytes (PDF, JPG, PNG, OFD),
  refuses a name whose extension claims another type, a PDF with scripts or automatic
  actions (:func:`pdf_active_content`) and a ZIP-based file that would expand past the
  limits of the settings (:func:`zip_limits_check`).
* :func:`stored_check` runs the same checks again on the bytes about to be served.
* :func:`attachment_response` answers a download: the detected type, always as an
  attachment with a safe RFC 6266 / RFC 5987 file name, ``nosniff`` and a sandboxing
  Content-Security-Policy of its own.

Every check is bounded: the PDF scan reads the file once with linear regular
expressions and inflates object streams up to ``UPLOAD_PDF_MAX_INFLATED_BYTES``; the
ZIP check reads only the central directory.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from enum import StrEnum
from io import BytesIO
from pathlib import Path
from typing import IO, TypeVar
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _

R = TypeVar("R", bound=HttpResponseBase)

PDF = "pdf"
JPG = "jpg"
PNG = "png"
OFD = "ofd"

#: The Content-Type a download of each detected kind answers with.
MIME_TYPES = {
    PDF: "application/pdf",
    JPG: "image/jpeg",
    PNG: "image/png",
    OFD: "application/ofd",
}
#: File-name extensions that claim each kind (lower case, without the dot).
EXTENSIONS = {
    PDF: ("pdf",),
    JPG: ("jpg", "jpeg", "jpe", "jfif"),
    PNG: ("png",),
    OFD: ("ofd",),
}
#: The header every download carries: the file can run nothing, load nothing.
DOWNLOAD_CSP = "sandbox; default-src 'none'"
#: A compressed entry smaller than this cannot be a bomb, whatever its ratio.
ZIP_RATIO_FLOOR_BYTES = 1024 * 1024


class Refusal(StrEnum):
    TYPE = "file_type_not_allowed"
    MISMATCH = "file_type_mismatch"
    ACTIVE_CONTENT = "file_active_content"
    UNCHECKABLE = "file_uncheckable"
    ARCHIVE_TOO_LARGE = "file_archive_too_large"


class UnsafeFileError(Exception):
    """The file is refused; ``message`` says why, in words for the person who sent it."""

    def __init__(self, reason: Refusal, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


# --------------------------------------------------------------------------- #
# Type
# --------------------------------------------------------------------------- #


def detect_kind(content: bytes) -> str | None:
    """The file type by its magic bytes (never by its name or the browser's claim)."""
    if content.startswith(b"%PDF"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPG
    if content.startswith(b"\x89PNG"):
        return PNG
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(content)) as archive:
                names = {n.rsplit("/", 1)[-1] for n in archive.namelist()}
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "OFD.xml" in names:
            return OFD
    return None


def _extension(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name
    return name.rsplit(".", 1)[-1].lower() if "." in name.strip(".") else ""


def upload_check(*, content: bytes, filename: str) -> str:
    """The detected kind of an upload, or :class:`UnsafeFileError` saying why not.

    Order matters: the cheap magic check first, then the ZIP limits *before* anything
    opens the archive's entries, then the claimed type, then the PDF scan.
    """
    _zip_limits_if_zip(content)
    kind = detect_kind(content)
    if kind is None:
        raise UnsafeFileError(Refusal.TYPE, _("仅支持 PDF、JPG、PNG、OFD 格式的文件"))
    extension = _extension(filename)
    if extension and extension not in EXTENSIONS[kind]:
        raise UnsafeFileError(
            Refusal.MISMATCH,
            _("文件内容是 %(kind)s，与文件扩展名 .%(extension)s 不符，请检查后重新上传")
            % {"kind": kind.upper(), "extension": extension[:20]},
        )
    if kind == PDF:
        _pdf_refuse_active(content)
    return kind


def stored_check(*, content: bytes, kind: str) -> None:
    """Refuse to serve bytes that are no longer the allowed type they were stored as."""
    _zip_limits_if_zip(content)
    if detect_kind(content) != kind or kind not in MIME_TYPES:
        raise UnsafeFileError(Refusal.TYPE, _("文件内容与登记的类型不符，不予下载"))
    if kind == PDF:
        _pdf_refuse_active(content)


# --------------------------------------------------------------------------- #
# ZIP-based files (OFD, .xlsx)
# --------------------------------------------------------------------------- #


def _zip_limits_if_zip(content: bytes) -> None:
    """The limits for bytes that say they are a ZIP; a broken one is left to detection."""
    if not content.startswith(b"PK\x03\x04"):
        return
    try:
        zip_limits_check(BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError):
        return


def zip_limits_check(source: str | Path | IO[bytes]) -> None:
    """Refuse an archive whose entries would expand past the limits of the settings.

    Reads only the central directory (``infolist``); nothing is decompressed.  Python's
    zipfile never inflates an entry past its declared size (it stops and reports a CRC
    error), so the declared sizes bound what a reader such as openpyxl can be made to
    hold.  A file that is not a ZIP at all raises ``zipfile.BadZipFile`` for the caller
    to phrase as it likes.
    """
    max_entries = int(settings.UPLOAD_ZIP_MAX_ENTRIES)
    max_bytes = int(settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES)
    max_ratio = int(settings.UPLOAD_ZIP_MAX_RATIO)
    with zipfile.ZipFile(source) as archive:
        infos = archive.infolist()
    if len(infos) > max_entries:
        raise UnsafeFileError(
            Refusal.ARCHIVE_TOO_LARGE,
            _("压缩包内文件过多（%(count)s 个，上限 %(limit)s 个），不予接收")
            % {"count": len(infos), "limit": max_entries},
        )
    total = sum(info.file_size for info in infos)
    if total > max_bytes:
        raise UnsafeFileError(
            Refusal.ARCHIVE_TOO_LARGE,
            _("文件解压后过大（%(size)s MB，上限 %(limit)s MB），不予接收")
            % {"size": total // (1024 * 1024), "limit": max_bytes // (1024 * 1024)},
        )
    for info in infos:
        if info.file_size < ZIP_RATIO_FLOOR_BYTES:
            continue
        if info.file_size > max_ratio * max(info.compress_size, 1):
            raise UnsafeFileError(
                Refusal.ARCHIVE_TOO_LARGE,
                _("文件压缩比异常（超过 %(limit)s 倍），疑似压缩炸弹，不予接收")
                % {"limit": max_ratio},
            )


# --------------------------------------------------------------------------- #
# PDF active content
# --------------------------------------------------------------------------- #

_WS = rb"[\x00\t\n\x0c\r ]"
_NOT_DELIMITER = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"
_NAME = re.compile(b"/(" + _NOT_DELIMITER + b"*)")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_COMMENT = rb"%[^\r\n]*(?:\r\n|\r|\n)"
_GAP = rb"(?:" + _WS + b"|" + _COMMENT + b")"
_GAP_ANY = re.compile(_GAP + b"*+")
_REF = rb"\d++" + _WS + rb"++\d++" + _WS + rb"++R"
_REFERENCE = re.compile(rb"(\d+)" + _WS + rb"+\d+" + _WS + rb"+R")
_OBJ = re.compile(rb"\d+" + _WS + rb"+\d+" + _WS + rb"+obj")
_INTEGER = re.compile(rb"\d+")
_STREAM = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_ENDSTREAM = b"endstream"
_LOOK_BACK = 1024  # bytes before ``stream`` where its dictionary is looked for
_MAX_STREAMS = 20_000
_MAX_OPEN_ACTIONS = 64
_DICTIONARY_WINDOW = 8192
_DICTIONARY_TOKEN = re.compile(rb"<<|>>|\((?:\\[\s\S]|[^\\()])*\)")
_OBJECT_STREAM_HEADER = 64 * 1024


def _spelled(name: bytes) -> bytes:
    """A pattern for ``/name`` however it is spelled: any character may be ``#xx``."""
    parts = []
    for byte in name:
        escaped = b"".join(
            b"[%s%s]" % (bytes([c]).upper(), bytes([c]).lower()) if chr(c).isalpha() else bytes([c])
            for c in b"%02X" % byte
        )
        parts.append(b"(?:" + re.escape(bytes([byte])) + b"|#" + escaped + b")")
    return b"/" + b"".join(parts) + b"(?!" + _NOT_DELIMITER + b")"


def _any_of(*names: bytes) -> bytes:
    return b"(?:" + b"|".join(_spelled(name) for name in names) + b")"


#: Names that are a script, a launch or an embedded file wherever they appear.
_ALWAYS = re.compile(_any_of(b"JavaScript", b"Launch", b"EmbeddedFile", b"EmbeddedFiles"))
#: Short names that random image bytes could spell: they count before the value they
#: take (a script string or stream, an actions dictionary), outside stream bodies.
_SHORT = re.compile(
    b"(?P<JS>" + _spelled(b"JS") + b")(?:" + _GAP + b"*+[(<]|" + _GAP + b"++" + _REF + b")"
    b"|(?P<AA>" + _spelled(b"AA") + b")(?:" + _GAP + b"*+<<|" + _GAP + b"++" + _REF + b")"
)
_OPEN_ACTION = re.compile(_spelled(b"OpenAction"))
_OBJECT_STREAM = re.compile(_spelled(b"ObjStm"))
_N = re.compile(_spelled(b"N"))
_FIRST = re.compile(_spelled(b"First") + _GAP + rb"*+(\d+)")
_XREF = re.compile(_spelled(b"XRef"))
_FLATE = re.compile(_any_of(b"FlateDecode", b"Fl"))
#: Filters after which an object stream's text cannot be read with zlib alone.
_OTHER_FILTERS = re.compile(
    _any_of(
        b"ASCIIHexDecode",
        b"AHx",
        b"ASCII85Decode",
        b"A85",
        b"LZWDecode",
        b"LZW",
        b"RunLengthDecode",
        b"RL",
        b"Crypt",
        b"Predictor",
    )
)


def _decode_name(raw: bytes) -> bytes:
    if b"#" not in raw:
        return raw
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def _dictionary_at(data: bytes, start: int) -> bytes | None:
    """The ``<< ... >>`` that starts at ``start`` (balanced, within a bounded window)."""
    window = data[start : start + _DICTIONARY_WINDOW]
    depth = 0
    for token in _DICTIONARY_TOKEN.finditer(window):
        if token.group() == b"<<":
            depth += 1
        elif token.group() == b">>":
            depth -= 1
            if depth == 0:
                return window[: token.end()]
    return None


def _harmless_open_action(data: bytes, end: int) -> tuple[bool, int | None]:
    """Whether what /OpenAction names at ``end`` only opens a page (or the object it
    refers to, to be looked up).

    A destination (``[page /Fit]``) or a plain GoTo action (``<</S/GoTo/D [...]>>``,
    what LaTeX's hyperref writes) is harmless; any other action, or one that chains
    a next action, is not.
    """
    gap = _GAP_ANY.match(data, end)
    start = gap.end() if gap else end
    if data.startswith(b"[", start):
        return True, None
    reference = _REFERENCE.match(data, start)
    if reference:
        return True, int(reference.group(1))
    if not data.startswith(b"<<", start):
        return False, None
    dictionary = _dictionary_at(data, start)
    if dictionary is None:
        return False, None
    names = [_decode_name(m.group(1)) for m in _NAME.finditer(dictionary)]
    action = next((names[i + 1] for i in range(len(names) - 1) if names[i] == b"S"), None)
    return action == b"GoTo" and b"Next" not in names, None


def _stream_spans(data: bytes) -> list[tuple[int, int]]:
    """Where stream bodies are (from ``stream`` to the next ``endstream``)."""
    spans: list[tuple[int, int]] = []
    position = 0
    while True:
        found = _STREAM.search(data, position)
        if found is None:
            return spans
        if len(spans) >= _MAX_STREAMS:
            raise UnsafeFileError(Refusal.UNCHECKABLE, _("PDF 结构异常（数据流过多），无法检查"))
        end = data.find(_ENDSTREAM, found.end())
        if end < 0:
            end = len(data)
        spans.append((found.end(), end))
        position = end + len(_ENDSTREAM)


class _Scan:
    """One PDF's findings: the first active name, and what /OpenAction points at."""

    def __init__(self) -> None:
        self.found: str | None = None
        self.open_actions: list[int] = []  # object numbers an /OpenAction refers to
        self.object_streams: list[tuple[bytes, int]] = []  # inflated text, /First
        self.object_offsets: dict[int, list[tuple[int, int]]] | None = None

    def text(self, data: bytes, spans: list[tuple[int, int]]) -> None:
        """Look for active names in ``data`` (the short ones outside ``spans``)."""
        found = _ALWAYS.search(data)
        if found:
            self.found = "/" + _decode_name(found.group()[1:]).decode("ascii")
            return
        start = 0
        for begin, end in [*spans, (len(data), len(data))]:
            short = _SHORT.search(data, start, begin)
            if short:
                self.found = "/" + str(short.lastgroup)
                return
            start = end
        for count, match in enumerate(_OPEN_ACTION.finditer(data)):
            harmless, number = _harmless_open_action(data, match.end())
            if not harmless or count >= _MAX_OPEN_ACTIONS:
                self.found = "/OpenAction"
                return
            if number is not None:
                self.open_actions.append(number)

    def harmless_object(self, content: bytes, number: int) -> bool:
        """Whether object ``number``, in every revision found, only opens a page."""
        top = re.compile(rb"(?<![0-9])%d" % number + _WS + rb"+\d+" + _WS + b"+obj")
        places = [(content, match.end()) for match in top.finditer(content)]
        if self.object_offsets is None:
            self.object_offsets = {}
            for index, (text, first) in enumerate(self.object_streams):
                header = text[: min(first, _OBJECT_STREAM_HEADER)]
                numbers = [int(n) for n in _INTEGER.findall(header)]
                for i in range(0, len(numbers) - 1, 2):
                    self.object_offsets.setdefault(numbers[i], []).append(
                        (index, first + numbers[i + 1])
                    )
        for index, at in self.object_offsets.get(number, []):
            places.append((self.object_streams[index][0], at))
        # a reference to a reference is not a destination: only one step is followed
        return bool(places) and all(
            _harmless_open_action(data, at) == (True, None) for data, at in places
        )


def _object_streams(data: bytes, spans: list[tuple[int, int]]) -> Iterator[tuple[bytes, bytes]]:
    """Bodies of the streams that hold objects, with their own dictionary.

    An object stream is told by ``/Type /ObjStm`` or by the ``/N`` and ``/First`` that
    every reader needs to read one, in the dictionary just before ``stream`` (after
    the last ``N G obj`` of a bounded look back).
    """
    for start, end in spans:
        window = data[max(0, start - _LOOK_BACK) : start]
        headers = [m.end() for m in _OBJ.finditer(window)]
        dictionary = window[headers[-1] :] if headers else window
        if _OBJECT_STREAM.search(dictionary) or (
            _N.search(dictionary) and _FIRST.search(dictionary) and not _XREF.search(dictionary)
        ):
            yield data[start:end], dictionary


def pdf_active_content(content: bytes) -> str | None:
    """The first script, automatic action or embedded file of a PDF, or None.

    Looks for the names ``/JavaScript``, ``/JS``, ``/OpenAction`` (an action, not a
    plain destination), ``/AA``, ``/Launch`` and ``/EmbeddedFile(s)``, hex-escaped
    forms included (``/J#61vaScript``), in the file and inside its object streams
    (inflated with zlib, ``UPLOAD_PDF_MAX_INFLATED_BYTES`` at most altogether).  An
    object stream that cannot be read (another filter, a predictor, encryption) is an
    :class:`UnsafeFileError`: what cannot be checked is not accepted.  Every step is a
    linear regular-expression pass or bounded by a count.
    """
    scan = _Scan()
    spans = _stream_spans(content)
    scan.text(content, spans)
    budget = int(settings.UPLOAD_PDF_MAX_INFLATED_BYTES)
    for body, dictionary in _object_streams(content, spans):
        if scan.found:
            return scan.found
        if _OTHER_FILTERS.search(dictionary):
            raise UnsafeFileError(
                Refusal.UNCHECKABLE,
                _("PDF 使用了无法检查的压缩方式，请另存为标准 PDF 后重新上传"),
            )
        text = body  # stored as it is: its names were read with the rest of the file
        if _FLATE.search(dictionary) or body.startswith(b"x"):
            try:
                text = zlib.decompressobj().decompress(body, budget + 1)
            except zlib.error as exc:
                raise UnsafeFileError(
                    Refusal.UNCHECKABLE,
                    _("PDF 已加密或已损坏，无法检查，请上传未加密的 PDF"),
                ) from exc
            if len(text) > budget:
                raise UnsafeFileError(
                    Refusal.ARCHIVE_TOO_LARGE, _("PDF 内的压缩对象解压后过大，不予接收")
                )
            budget -= len(text)
            scan.text(text, [])
        first = _FIRST.search(dictionary)
        scan.object_streams.append((text, int(first.group(1)) if first else 0))
    if scan.found:
        return scan.found
    for number in scan.open_actions:
        if not scan.harmless_object(content, number):
            return "/OpenAction"  # an action, or nothing to tell it is not one
    return None


def _pdf_refuse_active(content: bytes) -> None:
    found = pdf_active_content(content)
    if found:
        raise UnsafeFileError(
            Refusal.ACTIVE_CONTENT,
            _(
                "PDF 含有脚本、自动执行的动作或内嵌文件（%(name)s），为安全起见不予接收；"
                "请用“打印为 PDF”重新生成后上传"
            )
            % {"name": found},
        )


# --------------------------------------------------------------------------- #
# Downloads
# --------------------------------------------------------------------------- #

_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]')


def download_filename(filename: str, kind: str | None = None) -> str:
    """A file name safe to offer: no path, no control characters, the right extension.

    With ``kind``, the extension is the detected type's, so a PDF stored as
    ``evil.html`` is saved as ``evil.pdf`` and never opens as a web page.
    """
    name = unicodedata.normalize("NFC", filename.replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE_IN_NAME.sub("_", name).strip(" .")
    if kind is not None:
        stem = name.rsplit(".", 1)[0] if "." in name else name
        extension = EXTENSIONS.get(kind, (kind,))[0]
        name = (stem.strip(" .") or "file")[:150] + "." + extension
    return name[:200] or "download"


def content_disposition(filename: str, *, ascii_name: str = "") -> str:
    """``attachment`` with an ASCII name and the UTF-8 one (RFC 6266, RFC 5987).

    The ASCII ``filename`` is for old clients: ``ascii_name`` when given, else the name
    with every other character replaced; ``filename*`` carries the name as it is.
    Control characters, quotes, backslashes and path separators never get through,
    so the header cannot be split or the name turned into a path.
    """
    name = download_filename(filename)
    fallback = "".join(
        ch if 0x20 <= ord(ch) < 0x7F else "_" for ch in download_filename(ascii_name or name)
    )
    stem, dot, extension = fallback.rpartition(".") if "." in fallback else (fallback, "", "")
    if not any(ch.isalnum() for ch in stem):
        fallback = "download" + dot + extension  # all in Chinese: the UTF-8 name says it
    header = f'attachment; filename="{fallback}"'
    if fallback != name:
        header += "; filename*=UTF-8''" + quote(name, safe="")
    return header


def download_headers(response: R, *, filename: str, ascii_name: str = "") -> R:
    """Make ``response`` a download that no browser renders in the site's origin.

    ``attachment`` with a safe name, ``nosniff``, no caching of personal files, and a
    Content-Security-Policy of its own (``sandbox; default-src 'none'``): a site-wide
    CSP middleware must leave a header already set alone.
    """
    response["Content-Disposition"] = content_disposition(filename, ascii_name=ascii_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def attachment_response(
    content: bytes, *, filename: str, content_type: str, ascii_name: str = ""
) -> HttpResponse:
    """``content`` as a download (:func:`download_headers`) of the given type."""
    return download_headers(
        HttpResponse(content, content_type=content_type), filename=filename, ascii_name=ascii_name
    )


def stored_file_response(content: bytes, *, filename: str, kind: str) -> HttpResponse:
    """The download of a checked stored file: the detected kind's type and extension."""
    return attachment_response(
        content, filename=download_filename(filename, kind), content_type=MIME_TYPES[kind]
    )
