"""The catalog data against the seed documents (counts, sample values, idempotence)."""

from __future__ import annotations

from pathlib import Path

import pytest

from talentport.catalog.models import (
    NOT_SPECIFIED,
    Department,
    Jurisdiction,
    Material,
    PolicyLink,
    ServiceItem,
    Specialist,
)
from talentport.catalog.services import REPO_DATA_DIR, catalog_load

pytestmark = pytest.mark.django_db

# the source documents sit beside the repository (../shared/seeds)
SEED_000 = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_8df9be9c84e5f9cf.txt"
QINGDAO_DISTRICTS = {
    "shinan": ("市南区", "370202", 2),
    "shibei": ("市北区", "370203", 2),
    "licang": ("李沧区", "370213", 1),
    "laoshan": ("崂山区", "370212", 2),
    "xihaian": ("西海岸新区", "370211", 1),
    "chengyang": ("城阳区", "370214", 4),
    "jimo": ("即墨区", "370215", 1),
    "jiaozhou": ("胶州市", "370281", 1),
    "pingdu": ("平度市", "370283", 2),
    "laixi": ("莱西市", "370285", 1),
    "hightech": ("高新区", "", 1),
    "ftz": ("自贸区", "", 2),
}
CONTRACT_POLICIES = {
    "qingdao.graduate_housing_subsidy": "qingdao-city-11-graduate-housing-subsidy",
    "qingdao.settle_allowance": "qingdao-city-12-settle-allowance",
    "qingdao.internship_allowance": "qingdao-city-14-internship-allowance",
    "qingdao.startup_support_plan": "qingdao-city-19-startup-support-plan",
    "qingdao.startup_subsidy": "qingdao-city-20-startup-subsidy",
    "qingdao.shinan.life_allowance": "qingdao-shinan-1-life-allowance",
    "qingdao.shinan.settle_allowance_topup": "qingdao-shinan-2-settle-allowance-topup",
    "qingdao.laoshan.life_allowance": "qingdao-laoshan-1-life-allowance",
    "qingdao.pingdu.life_allowance": "qingdao-pingdu-1-life-allowance",
    "qingdao.laixi.housing_voucher": "qingdao-laixi-1-housing-voucher",
    "qingdao.ftz.postgraduate_allowance": "qingdao-ftz-1-postgraduate-allowance",
    "qingdao.hightech.life_allowance": "qingdao-hightech-1-returnee-award",
    "liaocheng.living_allowance": "liaocheng-living-allowance",
    "liaocheng.rent_allowance": "liaocheng-rent-allowance",
}


def _history_total() -> int:
    models = [Jurisdiction, Department, ServiceItem, Material, Specialist, PolicyLink]
    return sum(m.history.count() for m in models)  # type: ignore[attr-defined]


def test_qingdao_city_list_has_22_items(seeded_catalog):
    items = ServiceItem.objects.filter(jurisdiction__code="qingdao")
    assert items.count() == 22
    assert sorted(int(i.sequence) for i in items) == list(range(1, 23))
    by_seq = {int(i.sequence): i for i in items}
    assert by_seq[2].title == "高层次人才绿色通道服务"
    assert by_seq[3].title == "落户服务"
    assert {by_seq[n].category for n in range(1, 11)} == {"公共服务类"}
    assert {by_seq[n].category for n in range(11, 14)} == {"住房类"}
    assert {by_seq[n].category for n in range(14, 19)} == {"就业类"}
    assert {by_seq[n].category for n in range(19, 23)} == {"创业类"}


def test_qingdao_district_list_has_20_items_in_12_districts(seeded_catalog):
    # given the 12 districts and zones of the seed's second part
    # when counting their items
    items = ServiceItem.objects.filter(jurisdiction__parent__code="qingdao")
    # then every row of the seed table is there, each district with its own rows
    assert items.count() == 20
    assert sorted(int(i.sequence) for i in items) == list(range(1, 21))
    for code, (name, division, n) in QINGDAO_DISTRICTS.items():
        j = Jurisdiction.objects.get(code=code)
        assert j.name == name
        assert j.division_code == division
        assert j.parent is not None and j.parent.code == "qingdao"
        assert j.name_en
        assert ServiceItem.objects.filter(jurisdiction=j).count() == n, code
    titles = set(
        ServiceItem.objects.filter(jurisdiction__code="chengyang").values_list("title", flat=True)
    )
    assert {t for t in titles if "博士后" in t} == {
        "博士后人才资助（博士后生活资助）",
        "博士后人才资助（博士后安家资助）",
    }


def test_city_codes():
    catalog_load(directory=REPO_DATA_DIR)
    codes = dict(Jurisdiction.objects.values_list("code", "division_code"))
    assert codes["qingdao"] == "370200"
    assert codes["weihai"] == "371000"
    assert codes["liaocheng"] == "371500"


def test_item_11_values(seeded_catalog):
    item = ServiceItem.objects.get(code="qingdao-city-11-graduate-housing-subsidy")
    assert item.title == "高校毕业生住房补贴"
    assert item.contact_phone == "0532-66711723"
    assert item.department.name == "青岛市公共就业和人才服务中心人才服务部"
    assert item.source == "青岛市留学人员服务清单（第一批）市级第11项"
    assert item.stage == "after"
    for amount in ("500元", "800元", "1200元", "36个月"):
        assert amount in item.content
    assert item.applicants.startswith("毕业三年内的国（境）外高等院校本科学历留学人员")
    # the seed is silent on these guide elements
    assert item.legal_basis == NOT_SPECIFIED
    assert item.fees == NOT_SPECIFIED
    assert item.legal_limit_days is None
    assert item.promised_limit_days is None
    assert list(item.policy_links.values_list("policy_id", flat=True)) == [
        "qingdao.graduate_housing_subsidy"
    ]
    assert "区市人社部门" in item.contact_note
    assert item.pinyin_title == "gaoxiaobiyeshengzhufangbutie"
    assert item.initials_title == "gxbyszfbt"


def test_contract_policy_ids_are_linked(seeded_catalog):
    for policy_id, code in CONTRACT_POLICIES.items():
        assert PolicyLink.objects.filter(policy_id=policy_id, service__code=code).exists(), (
            policy_id
        )
    assert PolicyLink.objects.count() == len(CONTRACT_POLICIES)


def test_specialists_of_annex_2(seeded_catalog):
    assert Specialist.objects.count() == 13
    assert Specialist.objects.values("jurisdiction").distinct().count() == 12
    xu = Specialist.objects.get(name="徐若雨")
    assert xu.jurisdiction.name == "市南区"
    assert xu.phone == "0532-66776881"
    pingdu = Specialist.objects.filter(jurisdiction__code="pingdu")
    assert set(pingdu.values_list("name", flat=True)) == {"潘俊杰", "陈雪超"}
    assert set(pingdu.values_list("phone", flat=True)) == {"0532-80817367"}
    assert all(s.phone.startswith("0532-") for s in Specialist.objects.all())


def test_weihai_items_by_kind_and_stage(seeded_catalog):
    items = ServiceItem.objects.filter(jurisdiction__code="weihai")

    def n(kind: str, stage: str) -> int:
        return items.filter(kind=kind, stage=stage).count()

    assert n("government", "before") == 8
    assert n("government", "after") == 11
    assert n("value_added", "before") == 1
    assert n("value_added", "abroad") == 1
    assert n("value_added", "after") == 9
    assert items.count() == 30


@pytest.mark.parametrize(
    ("title", "department"),
    [
        ("普通护照签发", "威海市公安局"),
        ("基本医疗保险参保人员参保信息查询", "威海市医疗保障局"),
        ("留学人员购买免税国产汽车", "中华人民共和国威海海关"),
        ("大型科学仪器设备资源共享", "威海市科技局"),
        ("科技文献查询", "威海市科技局"),
        ("留学人才联谊交流", "威海市人力资源和社会保障局"),
        ("社会保障卡申领(成年人)", "威海市人力资源和社会保障局"),
    ],
)
def test_weihai_departments(seeded_catalog, title, department):
    item = ServiceItem.objects.get(jurisdiction__code="weihai", title=title)
    assert item.department.name == department


def test_weihai_partner_departments_and_responsibilities(seeded_catalog):
    car = ServiceItem.objects.get(title="留学人员购买免税国产汽车")
    assert [d.name for d in car.partner_departments.all()] == ["中华人民共和国荣成海关"]
    club = ServiceItem.objects.get(title="留学人才联谊交流")
    assert [d.code for d in club.partner_departments.all()] == ["wh-united-front"]
    assert Department.objects.filter(jurisdiction__code="weihai").count() == 8
    police = Department.objects.get(code="wh-police")
    assert "查询出入境记录" in police.responsibilities


def test_liaocheng_medical_card(seeded_catalog):
    item = ServiceItem.objects.get(code="liaocheng-medical-care-card")
    materials = list(item.materials.order_by("sort_order"))
    assert len(materials) == 4
    assert materials[3].name == "证件照"
    assert materials[3].requirements == "电子版、白色背景、彩色、备注姓名"
    assert materials[0].requirements == NOT_SPECIFIED
    assert item.legal_limit_days == 15
    assert item.promised_limit_days is None
    assert "5个工作日" in item.procedure and "10个工作日" in item.procedure
    assert "市保健办" in item.procedure
    partners = set(item.partner_departments.values_list("name", flat=True))
    assert "聊城市保健办" in partners


def test_liaocheng_gold_card_and_allowances(seeded_catalog):
    card = ServiceItem.objects.get(code="liaocheng-gold-card")
    for benefit in ("健康体检", "贵宾室候车", "借书证", "3A级景区", "重新登记备案"):
        assert benefit in card.content
    living = ServiceItem.objects.get(code="liaocheng-living-allowance")
    assert "20000元" in living.content and "补贴期限最长3年" in living.content
    rent = ServiceItem.objects.get(code="liaocheng-rent-allowance")
    assert "3000元" in rent.content
    # 第四条 (一)-(十一) plus the leading group office
    assert (
        Department.objects.filter(jurisdiction__code="liaocheng", source__contains="第四条").count()
        >= 12
    )


def test_every_item_is_complete(seeded_catalog):
    for item in ServiceItem.objects.all():
        assert item.title and item.title_en and item.content and item.source, item.code
        assert item.search_title and item.pinyin_title and item.initials_title, item.code
        assert item.stage in {"", "before", "abroad", "after"}


@pytest.mark.skipif(not SEED_000.exists(), reason="seed documents not available")
def test_qingdao_text_is_verbatim(seeded_catalog):
    seed = SEED_000.read_text(encoding="utf-8")
    for item in ServiceItem.objects.filter(jurisdiction__code__in=["qingdao", *QINGDAO_DISTRICTS]):
        assert item.content in seed, item.code
        assert item.contact_phone in seed, item.code
        if item.applicants != NOT_SPECIFIED:
            assert item.applicants in seed, item.code


def test_loading_twice_changes_nothing(seeded_catalog):
    # given a loaded catalog
    history_before = _history_total()
    stamps = dict(ServiceItem.objects.values_list("code", "updated_at"))
    # when it is loaded again
    report = catalog_load(directory=REPO_DATA_DIR)
    # then nothing is written
    assert not report.changed
    assert report.items.unchanged == 82
    assert _history_total() == history_before
    assert dict(ServiceItem.objects.values_list("code", "updated_at")) == stamps


def test_a_changed_value_is_updated_with_history(seeded_catalog, tmp_path):
    # given the data with one phone number changed
    for path in REPO_DATA_DIR.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        (tmp_path / path.name).write_text(
            text.replace("contact_phone: 0532-66711723", "contact_phone: 0532-00000000"),
            encoding="utf-8",
        )
    item = ServiceItem.objects.get(code="qingdao-city-11-graduate-housing-subsidy")
    before = item.history.count()
    # when loading it
    report = catalog_load(directory=tmp_path)
    # then exactly that item is updated, with a history row
    assert report.items.updated == 1
    item.refresh_from_db()
    assert item.contact_phone == "0532-00000000"
    assert item.history.count() == before + 1
