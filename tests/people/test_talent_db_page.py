"""The staff page 人才信息库导入 and the .xlsx template (contract §9)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from talentport.people.models import ImportRunStatus, ProfileImportRun, StaffScope, TalentProfile
from talentport.people.talent_import import talent_profiles_import
from talentport.people.talent_xlsx import columns, header, template_workbook

pytestmark = pytest.mark.django_db

PROFILE = {"education": {"degree": "master", "overseas": True}}


@pytest.fixture
def make_user(django_user_model: Any) -> Any:
    def make(username: str, role: str = "applicant", scope: str = "") -> Any:
        user = django_user_model.objects.create_user(
            username=username, password="pw-123456-Aa", role=role, display_name=username
        )
        if scope:
            StaffScope.objects.create(user=user, jurisdiction=scope)
        return user

    return make


@pytest.fixture
def admin(make_user: Any) -> Any:
    return make_user("admin-qd", role="administrator", scope="qingdao")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def jsonl(*records: dict[str, Any]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def test_page_is_refused_to_people_employers_and_other_cities(client: Any, make_user: Any) -> None:
    urls = [reverse("workbench:talent-db"), reverse("workbench:talent-db-template")]
    assert client.get(urls[0]).status_code == 302  # anonymous: sign in first
    for user in (
        make_user("alice"),
        make_user("acme", role="employer"),
        make_user("admin-wh", role="administrator", scope="weihai"),
        make_user("window-qd", role="window_specialist", scope="qingdao"),
    ):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user.username, url)
        response = client.post(urls[0], {"source": "x", "file": upload("a.jsonl", b"")})
        assert response.status_code == 403
    assert not ProfileImportRun.objects.exists()


def test_upload_shows_summary_and_refused_lines(client: Any, admin: Any) -> None:
    # given
    client.force_login(admin)
    content = jsonl(
        {"id": 1, **PROFILE, "contact": {"phone": "13800138000"}, "consent": True},
        {"id": 2, **PROFILE, "contact": {"phone": "0532-66776881"}},
        {"id": 3, "education": {"degree": "phd"}},
    )

    # when
    response = client.post(
        reverse("workbench:talent-db"),
        {"source": "校友会", "file": upload("alumni.jsonl", content)},
        follow=True,
    )

    # then
    assert response.status_code == 200
    body = response.content.decode()
    assert "新增 1 人，更新 0 人，未变 0 人，退回 2 行" in body
    assert "contact.phone" in body and "education.degree" in body
    run = ProfileImportRun.objects.get()
    assert run.actor == admin and run.source == "校友会" and run.filename == "alumni.jsonl"
    assert (run.created_count, run.refused_count, run.status) == (1, 2, ImportRunStatus.DONE)
    # the list: the run, the source with its consented count, masked contact only
    page = client.get(reverse("workbench:talent-db")).content.decode()
    assert "alumni.jsonl" in page and "校友会" in page
    assert "138****8000" in page
    assert "13800138000" not in page


def test_unreadable_upload_is_refused_on_the_form(client: Any, admin: Any) -> None:
    client.force_login(admin)
    response = client.post(
        reverse("workbench:talent-db"),
        {"source": "校友会", "file": upload("a.jsonl", "编号".encode("gbk") + b"\n")},
    )
    assert response.status_code == 200
    assert "UTF-8" in response.content.decode()
    assert not TalentProfile.objects.exists()


def test_source_counts_include_people_without_consent(client: Any, admin: Any) -> None:
    talent_profiles_import(
        jsonl(
            {"id": 1, "consent": True, "contact": {"phone": "13800138000"}},
            {"id": 2, "consent": False},
            {"id": 3},
        ),
        source="招聘会",
    )
    client.force_login(admin)
    response = client.get(reverse("workbench:talent-db"))
    [row] = response.context["sources"]
    assert (row["source"], row["total"], row["consented"]) == ("招聘会", 3, 1)


def test_a_large_file_runs_in_the_queue_with_progress(
    client: Any,
    admin: Any,
    monkeypatch: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given: a threshold of 5 lines, and a file of 12
    from talentport.people import talent_import

    monkeypatch.setattr(talent_import, "QUEUE_THRESHOLD", 5)
    client.force_login(admin)
    content = jsonl(*[{"id": i, **PROFILE} for i in range(12)])

    # when (TASKS_EAGER: the queue runs the task once the request's transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("workbench:talent-db"),
            {"source": "大使", "file": upload("big.jsonl", content)},
        )

    # then: the upload waited encrypted under DATA_DIR, and is gone once imported
    run = ProfileImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workbench:talent-db-run", args=[run.uuid])
    assert run.status == ImportRunStatus.DONE, run.error
    assert (run.total, run.processed, run.created_count) == (12, 12, 12)
    assert run.upload_path == ""
    assert not list((settings.DATA_DIR / "imports").iterdir())
    assert TalentProfile.objects.filter(source="大使").count() == 12


def test_queued_run_page_shows_progress_and_refreshes(client: Any, admin: Any) -> None:
    run = ProfileImportRun.objects.create(
        source="大使",
        filename="big.jsonl",
        status=ImportRunStatus.RUNNING,
        total=9000,
        processed=5000,
    )
    client.force_login(admin)
    body = client.get(reverse("workbench:talent-db-run", args=[run.uuid])).content.decode()
    assert "5000 / 9000" in body
    assert 'http-equiv="refresh"' in body


def test_queued_upload_is_encrypted_while_it_waits(
    client: Any, admin: Any, monkeypatch: Any, settings: Any
) -> None:
    from talentport.people import talent_import, tasks

    monkeypatch.setattr(talent_import, "QUEUE_THRESHOLD", 1)
    seen: list[bytes] = []
    monkeypatch.setattr(tasks.profiles_import, "apply", lambda **kw: None)  # not run yet
    client.force_login(admin)
    content = jsonl({"id": 1, "contact": {"phone": "13800138000"}}, {"id": 2})
    client.post(reverse("workbench:talent-db"), {"source": "s", "file": upload("a.jsonl", content)})
    run = ProfileImportRun.objects.get()
    assert run.status == ImportRunStatus.QUEUED
    seen.append((settings.DATA_DIR / "imports" / run.upload_path).read_bytes())
    assert b"13800138000" not in seen[0]
    # the worker then runs it
    tasks.profiles_import.run(str(run.uuid))
    run.refresh_from_db()
    assert run.status == ImportRunStatus.DONE and run.created_count == 2
    tasks.profiles_import.run(str(run.uuid))  # idempotent: a finished run is left alone
    assert TalentProfile.objects.count() == 2


def test_template_headers_come_from_the_schema(client: Any, admin: Any) -> None:
    client.force_login(admin)
    response = client.get(reverse("workbench:talent-db-template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[0] == "编号 id"
    assert "最高学历 education.degree" in headers
    assert "联系电话 contact.phone" in headers
    assert headers[-1] == "同意联系 consent (是/否)"
    assert len(headers) == len(columns())


def _filled_template(rows: list[dict[str, Any]]) -> bytes:
    sheet_book = load_workbook(io.BytesIO(template_workbook()))
    sheet = sheet_book.worksheets[0]
    paths = [path for path, _kind in columns()]
    for r, row in enumerate(rows, start=2):
        for path, value in row.items():
            sheet.cell(row=r, column=paths.index(path) + 1, value=value)
    buffer = io.BytesIO()
    sheet_book.save(buffer)
    return buffer.getvalue()


def test_xlsx_template_round_trip() -> None:
    # given: the template filled in as staff would (date cells, numbers, 是/否, lists)
    content = _filled_template(
        [
            {
                "id": "A-001",
                "person.birth_date": dt.datetime(1995, 4, 3),
                "education.degree": "doctor",
                "education.overseas": "是",
                "education.graduation_date": "2024-07-01",
                "employment.city": "qingdao",
                "employment.district": "laoshan",
                "employment.contract_years": 3,
                "employment.social_insurance_months": 12.0,
                "housing.owns_commercial_home_in": "laoshan、shinan",
                "contact.name": "李四",
                "contact.phone": "13900139000",
                "consent": "否",
            },
            {"id": 7, "education.full_time": "true", "consent": "是"},
            {"id": 8, "education.overseas": "也许"},  # a cell that cannot be read
            {"id": 9, "employment.social_insurance_months": "十二"},
        ]
    )

    # when
    report = talent_profiles_import(content, source="招聘会", filename="fair.xlsx")

    # then
    assert report.counts == {"created": 2, "updated": 0, "unchanged": 0, "refused": 2}
    stored = TalentProfile.objects.get(source_key="A-001")
    assert stored.data == {
        "person": {"birth_date": "1995-04-03"},
        "education": {"degree": "doctor", "overseas": True, "graduation_date": "2024-07-01"},
        "employment": {
            "city": "qingdao",
            "district": "laoshan",
            "contract_years": 3,
            "social_insurance_months": 12,
        },
        "housing": {"owns_commercial_home_in": ["laoshan", "shinan"]},
    }
    assert stored.contact_name == "李四" and stored.contact_phone == "13900139000"
    assert stored.consent is False
    seven = TalentProfile.objects.get(source_key="7")
    assert seven.data == {"education": {"full_time": True}} and seven.consent is True
    assert [(r["line"], r["errors"][0]["field"]) for r in report.refused] == [
        (4, "education.overseas"),
        (5, "employment.social_insurance_months"),
    ]
    assert "第 4 行" in report.refused[0]["errors"][0]["message"]
    # the same workbook again: unchanged
    again = talent_profiles_import(content, source="招聘会", filename="fair.xlsx")
    assert again.counts["unchanged"] == 2


def test_a_workbook_without_the_id_column_is_refused_whole() -> None:
    from talentport.people.talent_import import ImportFileError

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", header("education.degree", "str")])
    sheet.append(["张三", "master"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ImportFileError):
        talent_profiles_import(buffer.getvalue(), source="s", filename="x.xlsx")
    with pytest.raises(ImportFileError):
        talent_profiles_import(b"PK\x03\x04garbage", source="s", filename="x.xlsx")
    assert not TalentProfile.objects.exists()


def test_an_upload_queued_while_the_broker_was_down_is_imported_when_it_is_back(
    client: Any, admin: Any, monkeypatch: Any, settings: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    from talentport.common import tasks as common_tasks
    from talentport.people import talent_import, tasks

    monkeypatch.setattr(talent_import, "QUEUE_THRESHOLD", 1)
    # given: the broker is down when staff upload a large file
    monkeypatch.setattr(common_tasks, "enqueue", lambda *a, **kw: False)
    client.force_login(admin)
    content = jsonl({"id": 1}, {"id": 2}, {"id": 3})
    client.post(reverse("workbench:talent-db"), {"source": "s", "file": upload("a.jsonl", content)})
    run = ProfileImportRun.objects.get()
    assert run.status == ImportRunStatus.QUEUED and TalentProfile.objects.count() == 0
    # a just-queued run is left to its own message
    monkeypatch.undo()
    monkeypatch.setattr(talent_import, "QUEUE_THRESHOLD", 1)
    assert tasks.profile_imports_resume.run() == 0
    # when: the broker is back and the scheduler's resume comes round a minute later
    ProfileImportRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=3)
    )
    assert tasks.profile_imports_resume.run() == 1  # eager in tests: it runs at once
    # then: the file is imported, once
    run.refresh_from_db()
    assert run.status == ImportRunStatus.DONE and run.created_count == 3
    assert TalentProfile.objects.count() == 3 and run.upload_path == ""
    assert tasks.profile_imports_resume.run() == 0


def test_a_running_import_is_taken_over_only_when_its_worker_went_quiet(
    settings: Any,
) -> None:
    import datetime as dt

    from django.utils import timezone

    from talentport.people import tasks

    run = ProfileImportRun.objects.create(
        source="s", status=ImportRunStatus.RUNNING, total=10, upload_path="gone.upload"
    )
    # a worker that wrote progress a moment ago keeps it: a second delivery does nothing
    tasks.profiles_import.run(str(run.uuid))
    run.refresh_from_db()
    assert run.status == ImportRunStatus.RUNNING
    assert tasks.profile_imports_resume.run() == 0
    # one quiet for longer than PUSH_STALE_SECONDS is taken over (here its file is gone:
    # the run fails with the reason rather than waiting for ever)
    ProfileImportRun.objects.filter(pk=run.pk).update(
        updated_at=timezone.now() - dt.timedelta(seconds=settings.PUSH_STALE_SECONDS + 5)
    )
    assert tasks.profile_imports_resume.run() == 1
    run.refresh_from_db()
    assert run.status == ImportRunStatus.FAILED and "不存在" in run.error


def test_a_workbook_over_the_row_limit_is_refused_whole(monkeypatch: Any) -> None:
    from talentport.people import talent_xlsx
    from talentport.people.talent_import import ImportFileError, talent_profiles_import

    monkeypatch.setattr(talent_xlsx, "MAX_ROWS", 3)
    content = _filled_template([{"id": f"A-{i}"} for i in range(4)])
    with pytest.raises(ImportFileError, match="超过 3 行数据"):
        talent_profiles_import(content, source="校友会", filename="big.xlsx")
    assert not TalentProfile.objects.exists()
    # at the limit it is read
    three = _filled_template([{"id": f"A-{i}"} for i in range(3)])
    assert talent_profiles_import(three, source="校友会", filename="ok.xlsx").created == 3
