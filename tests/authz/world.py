"""A small city for the authorisation matrix: one account in scope and one out of scope
for every role, and one object of every kind a route can address.

"In scope" means: the person's own (applicant), authorised by the person (guardian,
employer, window specialist), or inside the staff account's jurisdiction and department
(Qingdao and the department handling alice's application). "Out of scope" is the same
role elsewhere (Weihai) or without the person's authorisation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from talentport.archives.models import ArchiveBatch, ArchiveFile, GuardianLink
from talentport.cases import services as cases_services
from talentport.cases.models import (
    Bundle,
    Rating,
    RectificationTask,
    ReturnVisit,
)
from talentport.catalog.models import Department, ServiceItem
from talentport.catalog.services import REPO_DATA_DIR, catalog_load
from talentport.common.crypto import encrypt
from talentport.common.idcard import id_card_check_digit
from talentport.funds.models import Grant
from talentport.jobs import services as jobs_services
from talentport.jobs.models import Ambassador, FairCandidate
from talentport.notify.models import Message
from talentport.people import services as people_services
from talentport.people.models import (
    AccessKind,
    ImportRunStatus,
    ProfileImportRun,
    Role,
    StaffScope,
    TalentProfile,
    User,
)
from talentport.policies.services import policies_sync

PDF = b"%PDF-1.4\n%test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROLES = (
    "applicant",
    "guardian",
    "employer",
    "window",
    "department",
    "admin",
    "auditor",
)


@dataclass
class World:
    users: dict[tuple[str, str], User] = field(default_factory=dict)  # (role, in|out) → user
    objects: dict[str, Any] = field(default_factory=dict)  # key → object
    markers: dict[str, str] = field(default_factory=dict)  # key → text a page would show

    def user(self, role: str, where: str) -> User | None:
        return self.users.get((role, where))


def _id_number(serial: int) -> str:
    first17 = f"37020220050315{serial:03d}"
    return first17 + id_card_check_digit(first17)


def _make(username: str, role: str, **extra: Any) -> User:
    return User.objects.create_user(
        username=username,
        password="Matrix-Password-2026!",
        role=role,
        display_name=extra.pop("display_name", username),
        email=username + "@example.cn",
        **extra,
    )


def _scoped(username: str, role: str, jurisdiction: str, **extra: Any) -> User:
    user = _make(username, role, **extra)
    StaffScope.objects.create(user=user, jurisdiction=jurisdiction)
    return user


def build_world() -> World:  # noqa: PLR0915 - one scene, told in order
    w = World()
    catalog_load(directory=REPO_DATA_DIR)
    policies_sync()
    cases_services.bundle_load()
    bundle = Bundle.objects.get(code="qingdao-return-employment")
    weihai_dept = Department.objects.filter(jurisdiction__code="weihai").order_by("id").first()

    # --- people -----------------------------------------------------------------------
    alice = _make("alice", Role.APPLICANT, display_name="李爱丽")
    bob = _make("bob", Role.APPLICANT, display_name="王博")
    mum = _make("mum", Role.GUARDIAN, display_name="李妈妈")
    stranger = _make("stranger", Role.GUARDIAN)
    acme = _make("acme", Role.EMPLOYER, display_name="青岛新材料")
    other_corp = _make("othercorp", Role.EMPLOYER)
    window_in = _scoped("window-qd", Role.WINDOW_SPECIALIST, "qingdao")
    window_out = _scoped("window-wh", Role.WINDOW_SPECIALIST, "weihai")
    admin_in = _scoped("admin-qd", Role.ADMINISTRATOR, "qingdao")
    admin_out = _scoped("admin-wh", Role.ADMINISTRATOR, "weihai")
    auditor = _make("auditor", Role.AUDITOR)
    TalentProfile.objects.create(user=alice, data={"education": {"degree": "master"}})

    for person, kind, grantee in (
        (alice, AccessKind.GUARDIAN, mum),
        (alice, AccessKind.EMPLOYER, acme),
        (alice, AccessKind.ASSISTANT, window_in),
    ):
        grant = people_services.access_grant_create(
            actor=person, person=person, kind=kind, grantee_username=grantee.username
        )
        w.objects["grant_" + kind.value] = grant
        w.markers["grant_" + kind.value] = str(grant.uuid)

    # --- alice's 一件事 in Qingdao, handled by a department -----------------------------
    application, _ = cases_services.application_create(
        bundle=bundle,
        stage="after",
        applicant=alice,
        actor=alice,
        selected_items=["employment-registration"],
        form_data={
            "name": "李爱丽",
            "id_number": _id_number(1),
            "phone": "13800000001",
            "employer_name": "青岛新材料",
            "employment_start": "2026-07-01",
        },
    )
    for m in cases_services.application_materials_needed(application=application):
        material = cases_services.material_upload(
            owner=alice, actor=alice, code=m["code"], filename=m["code"] + ".pdf", content=PDF
        )
        cases_services.application_attach_material(
            application=application, actor=alice, code=m["code"], material=material
        )
        w.objects["material"] = material
        w.markers["material"] = str(material.uuid)
    application = cases_services.application_submit(application=application, actor=alice)
    subcase = application.subcases.select_related("department").first()
    assert subcase is not None
    department = subcase.department
    department_in = _make("dept-qd", Role.DEPARTMENT_SPECIALIST, department=department)
    department_out = _make("dept-wh", Role.DEPARTMENT_SPECIALIST, department=weihai_dept)
    cases_services.membership_set(user=department_in, department=department, supervisor=True)
    cases_services.membership_set(user=department_out, department=weihai_dept, supervisor=True)
    rating = Rating.objects.create(
        application=application,
        subcase=subcase,
        scope="subcase",
        level="dissatisfied",
        rated_by=alice,
    )
    w.objects["rectification"] = RectificationTask.objects.create(
        rating=rating, department=department, due_date=dt.date(2027, 1, 15)
    )
    w.objects["return_visit"] = ReturnVisit.objects.create(rating=rating)
    w.objects.update(
        application=application,
        subcase=subcase,
        bundle=bundle,
        lc_bundle=Bundle.objects.get(code="liaocheng-medical-care-card"),
    )
    w.markers["application"] = application.number or ""
    w.markers["subcase"] = str(subcase.uuid)

    # --- a 免申即享 grant paid by that department -----------------------------------------
    w.objects["fund_grant"] = Grant.objects.create(
        profile=alice.talent_profile,
        policy_id="qingdao.graduate_housing_subsidy",
        policy_version=1,
        title="高校毕业生住房补贴",
        amount=Decimal("28800"),
        jurisdiction="qingdao",
        department=department,
    )
    w.markers["fund_grant"] = str(w.objects["fund_grant"].uuid)
    w.objects["policy_id"] = "qingdao.graduate_housing_subsidy"
    # --- a push run of that Qingdao policy (its progress page is for Qingdao's admins) -
    from talentport.policies.models import PushRun, PushTrigger

    w.objects["push_run"] = PushRun.objects.create(
        trigger=PushTrigger.MANUAL, policy_ids=["qingdao.graduate_housing_subsidy"]
    )
    from talentport.policies.models import PolicyPreview

    w.objects["preview"] = PolicyPreview.objects.create(
        policy_id="qingdao.graduate_housing_subsidy",
        jurisdiction="qingdao",
        text="id: qingdao.graduate_housing_subsidy",
        as_of=dt.date(2026, 11, 22),
    )

    # --- alice's personnel file, followed by her mother --------------------------------
    batch = ArchiveBatch.objects.create(
        school="青岛二中", filename="list.xlsx", imported_by=admin_in
    )
    number = _id_number(2)
    archive = ArchiveFile.objects.create(
        batch=batch,
        school="青岛二中",
        name="李爱丽",
        id_card=number,
        id_card_masked=number[:4] + "*" * 10 + number[-4:],
        birth_date=dt.date(2005, 3, 15),
        student=alice,
    )
    link = GuardianLink.objects.create(
        file=archive, guardian=mum, created_by=alice, consented_at=timezone.now()
    )
    w.objects.update(archive=archive, batch=batch, archive_link=link)
    w.markers["archive"] = str(archive.uuid)
    w.markers["batch"] = str(batch.uuid)

    # --- talent database (Qingdao's) ----------------------------------------------------
    w.objects["talent_import_run"] = ProfileImportRun.objects.create(
        source="校友会", filename="alumni.jsonl", status=ImportRunStatus.DONE
    )

    # --- jobs: acme's position, a fair, an event, an ambassador's referral --------------
    org = jobs_services.employer_org_save(
        user=acme, name="青岛新材料有限公司", org_type="private", district="laoshan"
    )
    org = jobs_services.employer_org_verify(org=org, actor=window_in, decision="verified")
    other_org = jobs_services.employer_org_save(
        user=other_corp, name="别家公司", org_type="private", district="shinan"
    )
    jobs_services.employer_org_verify(org=other_org, actor=window_in, decision="verified")
    position = jobs_services.position_create(
        org=org,
        actor=acme,
        title="研发工程师",
        industry="new_materials",
        degree="master",
        salary_min=Decimal("200000"),
        salary_max=Decimal("300000"),
        district="laoshan",
        push=False,
    )
    ambassador = jobs_services.ambassador_create(
        actor=window_in, name="特派员", country="英国", university="Oxford"
    )
    entry = jobs_services.pool_entry_register(
        user=alice,
        full_name="李爱丽",
        school="Oxford",
        country="英国",
        major="材料",
        degree="master",
        contact_consent=True,
        ambassador_code=Ambassador.objects.get(pk=ambassador.pk).code,
    )
    fair = jobs_services.fair_create(
        actor=window_in,
        name="蓝洽会",
        starts_on=dt.date(2027, 5, 20),
        venue="青岛国际会展中心",
        capacity=100,
        publish=True,
    )
    jobs_services.fair_candidate_signup(fair=fair, user=alice)
    event = jobs_services.event_create(
        actor=window_in,
        kind="study_tour",
        title="研学活动",
        starts_at=timezone.now() + dt.timedelta(days=30),
        capacity=10,
        publish=True,
    )
    registration = jobs_services.event_register(event=event, user=alice)
    w.objects.update(
        org=org,
        position=position,
        fair=fair,
        fair_candidate=FairCandidate.objects.get(fair=fair, user=alice),
        event=event,
        registration=registration,
        referral=entry.referral if hasattr(entry, "referral") else None,
        pool_entry=entry,
    )
    from talentport.jobs.models import Referral

    w.objects["referral"] = Referral.objects.filter(ambassador=ambassador).first()

    # --- inbox, catalog --------------------------------------------------------------
    w.objects["message"] = Message.objects.create(
        recipient=alice,
        kind="general",
        title="给李爱丽的消息",
        body="仅本人可见",
        dedupe_key="matrix-message",
    )
    w.markers["message"] = "给李爱丽的消息"
    w.objects["service"] = ServiceItem.objects.order_by("id").first()
    w.objects["department_obj"] = department
    w.objects["alice"] = alice
    w.objects["password_token"] = ("MQ", "set-password")
    encrypt("warm-up")  # key derivation once, not inside the first timed request

    w.users.update(
        {
            ("applicant", "in"): alice,
            ("applicant", "out"): bob,
            ("guardian", "in"): mum,
            ("guardian", "out"): stranger,
            ("employer", "in"): acme,
            ("employer", "out"): other_corp,
            ("window", "in"): window_in,
            ("window", "out"): window_out,
            ("department", "in"): department_in,
            ("department", "out"): department_out,
            ("admin", "in"): admin_in,
            ("admin", "out"): admin_out,
            ("auditor", "in"): auditor,
            ("auditor", "out"): auditor,
        }
    )
    return w
