"""The staff talent-pool export never writes a person's text as a live formula."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil","x")'


def test_a_name_starting_with_equals_is_exported_as_text(client, applicant, staff, register_entry):
    # given: a talent-pool entry whose name and school are formulas
    register_entry(applicant, full_name=HYPERLINK, school="@SUM(1+1)*cmd|' /C calc'!A0")
    client.force_login(staff)
    # when
    response = client.get(reverse("jobs:staff-pool-export"))
    # then
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    name = sheet.cell(row=2, column=header.index("姓名") + 1)
    school = sheet.cell(row=2, column=header.index("院校") + 1)
    assert name.value.startswith("'") and name.value == "'" + HYPERLINK
    assert name.data_type == "s"
    assert school.value.startswith("'") and school.data_type == "s"
    # numbers stay numbers
    salary = sheet.cell(row=2, column=header.index("期望年薪（元）") + 1)
    assert salary.data_type == "n" and salary.value == 300000
