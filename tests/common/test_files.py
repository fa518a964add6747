"""Uploaded files: type by the bytes, PDFs without scripts or actions, ZIPs within limits,
downloads as sandboxed attachments with a safe name."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from talentport.common import files
from tests.common.pdfs import noisy_image, object_stream, pdf, plain, stream

JS_ACTION = b"<</S/JavaScript/JS(app.alert\\(1\\))>>"


def refused(content: bytes, filename: str = "a.pdf") -> files.UnsafeFileError:
    with pytest.raises(files.UnsafeFileError) as caught:
        files.upload_check(content=content, filename=filename)
    return caught.value


# --- PDFs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        b"/OpenAction" + JS_ACTION,
        b"/OpenAction 4 0 R",  # object 4 is an action (below)
        b"/Names<</JavaScript<</Names[(x) 4 0 R]>>>>",
        b"/AA<</O 4 0 R>>",
        b"/OpenAction<</S/Launch/F(cmd.exe)>>",
        b"/Names<</EmbeddedFiles<</Names[(a.exe) 4 0 R]>>>>",
        b"/OpenAction<</S/J#61vaScript/JS 4 0 R>>",  # hex-escaped name
        b"/#41A<</O 4 0 R>>",  # /AA spelled #41A
        b"/OpenAction<</S/GoTo/D[3 0 R/Fit]/Next 4 0 R>>",  # a harmless start that chains on
    ],
)
def test_pdf_with_script_or_automatic_action_is_refused(extra: bytes) -> None:
    # given
    content = plain(extra, JS_ACTION)
    # when
    error = refused(content)
    # then
    assert error.reason == files.Refusal.ACTIVE_CONTENT
    assert "PDF 含有脚本" in error.message


def test_script_hidden_in_a_compressed_object_stream_is_refused() -> None:
    # given: the catalog and its /OpenAction live inside a FlateDecode object stream
    content = pdf(
        object_stream({5: catalog_with(b"/OpenAction 6 0 R"), 6: JS_ACTION}),
        b"<</Type/Pages/Kids[]/Count 0>>",
        trailer=b"<</Root 5 0 R>>",
    )
    assert b"JavaScript" not in content
    # when / then
    assert refused(content).reason == files.Refusal.ACTIVE_CONTENT
    assert files.pdf_active_content(content) == "/JavaScript"


def test_open_action_by_reference_is_looked_up() -> None:
    # given: /OpenAction points at an object that opens a web address when the file opens
    content = plain(b"/OpenAction 4 0 R", b"<</S/URI/URI(http://evil.example/track)>>")
    # when / then
    assert files.pdf_active_content(content) == "/OpenAction"
    # and at nothing at all: what cannot be told harmless is refused
    assert files.pdf_active_content(plain(b"/OpenAction 9 0 R")) == "/OpenAction"


def catalog_with(extra: bytes) -> bytes:
    return b"<</Type/Catalog/Pages 2 0 R" + extra + b">>"


@pytest.mark.parametrize(
    "extra, more",
    [
        (b"", ()),
        (b"/OpenAction[3 0 R/Fit]", ()),  # a destination: where to open, nothing runs
        (b"/OpenAction<</S/GoTo/D[3 0 R/XYZ 0 842 null]>>", ()),
        (b"/OpenAction 4 0 R", (b"<< /S /GoTo /D [3 0 R /Fit] >>",)),  # LaTeX hyperref
        (b"/Resources<</XObject<</Im0 4 0 R>>>>", (noisy_image(),)),
        (b"/Title(About PDF actions)", ()),
    ],
)
def test_ordinary_pdfs_are_accepted(extra: bytes, more: tuple[bytes, ...]) -> None:
    # given
    content = plain(extra, *more)
    # when
    kind = files.upload_check(content=content, filename="学位证书.pdf")
    # then
    assert kind == files.PDF


def test_a_name_spelled_inside_a_string_still_counts() -> None:
    # the scan does not trust the file's own idea of where strings end (a reader can
    # be sent into the middle of one by the cross-reference table): the safe side
    assert files.pdf_active_content(plain(b"/Title(/Launch)")) == "/Launch"


def test_compressed_object_stream_with_only_a_destination_is_accepted() -> None:
    content = pdf(
        object_stream({5: catalog_with(b"/OpenAction 6 0 R"), 6: b"[3 0 R /Fit]"}),
        b"<</Type/Pages/Kids[]/Count 0>>",
        trailer=b"<</Root 5 0 R>>",
    )
    assert files.pdf_active_content(content) is None


def test_object_stream_that_cannot_be_read_is_refused() -> None:
    # given: an object stream that says FlateDecode but is not (encrypted, corrupt)
    broken = stream(b"\x00\x01garbage" * 20, b"/Type/ObjStm/N 1/First 4/Filter/FlateDecode")
    other = stream(b"3C3C3E3E", b"/Type/ObjStm/N 1/First 4/Filter/ASCIIHexDecode")
    # when / then
    assert refused(plain(b"", broken)).reason == files.Refusal.UNCHECKABLE
    assert refused(plain(b"", other)).reason == files.Refusal.UNCHECKABLE


def test_object_streams_inflate_within_a_bounded_budget(settings: Any) -> None:
    # given: an object stream of 2 MB of blanks, with a budget of 1 MB
    settings.UPLOAD_PDF_MAX_INFLATED_BYTES = 1024 * 1024
    big = object_stream({5: b"<<>>" + b" " * (2 * 1024 * 1024)})
    # when / then
    assert refused(plain(b"", big)).reason == files.Refusal.ARCHIVE_TOO_LARGE


# --- types ------------------------------------------------------------------------------


def test_type_comes_from_the_bytes_and_a_name_claiming_another_is_refused() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    assert files.upload_check(content=png, filename="photo.PNG") == files.PNG
    assert files.upload_check(content=png, filename="no-extension") == files.PNG
    assert refused(png, "photo.pdf").reason == files.Refusal.MISMATCH
    assert refused(plain(), "evil.html").reason == files.Refusal.MISMATCH
    assert refused(b"<html><script>alert(1)</script>", "x.pdf").reason == files.Refusal.TYPE
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 32
    assert files.upload_check(content=jpeg, filename="scan.jpeg") == files.JPG


def ofd(*entries: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", "<ofd:OFD/>")
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def test_ofd_that_expands_past_the_limits_is_refused(settings: Any) -> None:
    # given: the default limits (ratio 100) and a 4 MB entry of zeros (ratio ~1000)
    bomb = ofd(("Doc_0/Res/bomb.bin", b"\x00" * (4 * 1024 * 1024)))
    assert len(bomb) < 50_000
    # when / then
    error = refused(bomb, "证明.ofd")
    assert error.reason == files.Refusal.ARCHIVE_TOO_LARGE and "压缩比" in error.message
    # total size and number of entries, from the settings
    settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = 1000
    assert "解压后过大" in refused(ofd(("a.xml", b"x" * 2000)), "a.ofd").message
    settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
    settings.UPLOAD_ZIP_MAX_ENTRIES = 3
    many = ofd(*((f"Doc_0/p{i}.xml", b"<p/>") for i in range(5)))
    assert "文件过多" in refused(many, "a.ofd").message
    # a normal one passes
    settings.UPLOAD_ZIP_MAX_ENTRIES = 10_000
    assert files.upload_check(content=ofd(("Doc_0/Document.xml", b"<d/>")), filename="a.ofd")


def test_stored_bytes_that_are_no_longer_the_stored_type_are_refused() -> None:
    files.stored_check(content=plain(), kind=files.PDF)
    with pytest.raises(files.UnsafeFileError):
        files.stored_check(content=b"<html></html>", kind=files.PDF)
    with pytest.raises(files.UnsafeFileError):
        files.stored_check(content=plain(b"/OpenAction" + JS_ACTION), kind=files.PDF)


# --- downloads --------------------------------------------------------------------------


def test_download_headers_are_an_attachment_with_a_safe_name_and_a_sandbox() -> None:
    # given / when
    response = files.stored_file_response(b"%PDF-1.4", filename="evil.html", kind=files.PDF)
    # then
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="evil.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            "学位证书.pdf",
            "attachment; filename=\"download.pdf\"; filename*=UTF-8''"
            "%E5%AD%A6%E4%BD%8D%E8%AF%81%E4%B9%A6.pdf",
        ),
        (
            "Zhang 学位.pdf",
            "attachment; filename=\"Zhang __.pdf\"; filename*=UTF-8''"
            "Zhang%20%E5%AD%A6%E4%BD%8D.pdf",
        ),
        ('a"; filename="x.html', 'attachment; filename="a__ filename=_x.html"'),
        ("a\r\nSet-Cookie: s=1.pdf", 'attachment; filename="a__Set-Cookie_ s=1.pdf"'),
        ("../../etc/passwd", 'attachment; filename="passwd"'),
        ("C:\\Users\\me\\scan.pdf", 'attachment; filename="scan.pdf"'),
    ],
)
def test_content_disposition_encodes_and_never_injects(name: str, expected: str) -> None:
    header = files.content_disposition(name)
    assert header == expected
    assert "\r" not in header and "\n" not in header
