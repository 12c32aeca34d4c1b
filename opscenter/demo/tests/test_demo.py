import io
import re
from collections import Counter

import pytest
from django.contrib.auth import password_validation
from django.core.management import CommandError, call_command

from opscenter.core.models import AuditEntry, User
from opscenter.demo.names import PeopleFactory
from opscenter.demo.org import DEMO_PASSWORD, SITE_CODES
from opscenter.demo.steps import STEPS
from opscenter.org.models import Department, Liaison, Site, Staff, Team

# Only this test loads every step (a year of data for three sites); the others check the
# organization and the logins, so they load the first step only and the file stays fast.
FULL_LOAD_TESTS = {"test_loading_twice_creates_nothing_new"}


@pytest.fixture(autouse=True)
def _organization_only(request, monkeypatch):
    if request.node.originalname not in FULL_LOAD_TESTS:
        monkeypatch.setattr("opscenter.demo.management.commands.demo.STEPS", STEPS[:1])


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (Site, Department, Team, Staff, Liaison, User, Staff.extra_sites.through)
    return {model.__name__: model.objects.count() for model in models}


def staff_of(site: str, **filters):
    return Staff.objects.filter(department__site__code=site, **filters)


@pytest.mark.django_db
def test_loading_twice_creates_nothing_new():
    load()
    first = counts()
    audit_rows = AuditEntry.objects.count()
    output = load()
    assert counts() == first
    assert AuditEntry.objects.count() == audit_rows
    assert "跳过" in output


@pytest.mark.django_db
def test_the_output_lists_every_named_demo_login():
    output = load()
    for username in (
        "demo-exec", "demo-ops", "demo-ops-meilai", "demo-marketing", "demo-customer", "demo-nursing",
        "demo-callcenter", "demo-finance", "demo-consultant", "demo-consultant-meilai", "admin",
    ):  # fmt: skip
        assert re.search(rf"^\s+{re.escape(username)}\s+{DEMO_PASSWORD}\s", output, re.MULTILINE), username


@pytest.mark.django_db
def test_the_executive_logs_in_and_sees_all_three_sites(client):
    load()
    response = client.post("/accounts/login/", {"username": "demo-exec", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    sites = client.get("/api/org/sites").json()
    assert sorted(site["code"] for site in sites) == sorted(SITE_CODES)


@pytest.mark.django_db
def test_a_consultant_logs_in_and_sees_only_their_site(client):
    load()
    response = client.post("/accounts/login/", {"username": "demo-consultant", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert [site["code"] for site in client.get("/api/org/sites").json()] == ["sunshine"]


@pytest.mark.django_db
def test_every_demo_user_signs_in_with_the_demo_password_which_passes_the_validators():
    load()
    for user in User.objects.all():
        password_validation.validate_password(DEMO_PASSWORD, user=user)
        assert user.check_password(DEMO_PASSWORD), user.username
        assert user.language == "zh-hans"


@pytest.mark.django_db
def test_sunshine_has_the_specified_departments_teams_and_staff():
    load()
    site = Site.objects.get(code="sunshine")
    assert (site.name, site.kind, site.city) == ("阳光颐养社区", "elder_care", "宁波")
    assert set(site.departments.values_list("name", "kind")) == {
        ("院长室", "management"), ("运营管理部", "operations"), ("市场部", "marketing"), ("客户管理部", "customer"),
        ("护理部", "nursing"), ("财务部", "finance"), ("人力资源部", "hr"),
    }  # fmt: skip
    teams = Team.objects.filter(department__site=site)
    assert {t.name: t.members.count() for t in teams} == {"销售一组": 4, "销售二组": 3, "销售三组": 2}
    assert all(t.leader.team_id == t.id and t.leader.position.name == "销售组长" for t in teams)
    assert staff_of("sunshine", user__groups__name="咨询师").count() == 9
    nurses = staff_of("sunshine", department__name="护理部")
    assert Counter(nurses.values_list("position__name", flat=True)) == {
        "护士长": 1,
        "护士/评估员": 2,
        "护理员": 52,
    }
    assert staff_of("sunshine").count() == 71


@pytest.mark.django_db
def test_meilai_has_the_specified_departments_teams_and_staff():
    load()
    site = Site.objects.get(code="meilai")
    assert (site.name, site.kind, site.city) == ("美莱医疗美容医院", "aesthetics", "宁波")
    assert set(site.departments.values_list("name", flat=True)) == {
        "总经理室", "运营管理部", "市场部", "客户管理部", "皮肤美容中心", "整形美容中心", "口腔美容中心", "财务部", "人力资源部",
    }  # fmt: skip
    assert site.departments.filter(kind="medical").count() == 3
    teams = {t.name: t for t in Team.objects.filter(department__site=site)}
    assert {name: t.members.count() for name, t in teams.items()} == {
        "电话咨询组": 3, "网络咨询组": 3, "渠道拓展组": 3, "现场咨询组": 4,
    }  # fmt: skip
    assert teams["渠道拓展组"].territory == "鄞州区" and teams["渠道拓展组"].is_grid
    assert teams["网络咨询组"].territory == ""
    assert teams["现场咨询组"].department.name == "客户管理部"
    assert set(teams["现场咨询组"].members.values_list("position__name", flat=True)) == {"现场咨询师"}
    assert staff_of("meilai", user__groups__name="咨询师").count() == 13
    assert staff_of("meilai").count() == 25


@pytest.mark.django_db
def test_the_hotline_has_two_shifts_of_five_agents_and_two_qa_staff():
    load()
    site = Site.objects.get(code="hotline")
    assert (site.name, site.kind) == ("96180 客服中心", "call_center")
    assert list(site.departments.values_list("name", "kind")) == [("客服中心", "call_center")]
    teams = Team.objects.filter(department__site=site)
    assert {t.name: t.members.count() for t in teams} == {"一班": 5, "二班": 5, "质检组": 2}
    assert set(staff_of("hotline", team__name="质检组").values_list("position__name", flat=True)) == {
        "质检员"
    }


@pytest.mark.django_db
def test_every_department_has_a_liaison_from_its_own_staff():
    load()
    departments = Department.objects.filter(site__code__in=SITE_CODES)
    assert Liaison.objects.count() == departments.count() == 17
    for liaison in Liaison.objects.select_related("staff"):
        assert liaison.staff.department_id == liaison.department_id


@pytest.mark.django_db
def test_each_demo_login_has_its_role_and_sites():
    load()
    expected = {
        "demo-exec": ("管理层", "sunshine", "院长室", {"sunshine", "meilai", "hotline"}),
        "demo-ops": ("运营管理", "sunshine", "运营管理部", {"meilai"}),
        "demo-ops-meilai": ("运营管理", "meilai", "运营管理部", set()),
        "demo-marketing": ("市场部", "sunshine", "市场部", set()),
        "demo-customer": ("客户管理部", "meilai", "客户管理部", set()),
        "demo-nursing": ("护理部", "sunshine", "护理部", set()),
        "demo-callcenter": ("客服中心", "hotline", "客服中心", set()),
        "demo-finance": ("财务/人事", "sunshine", "财务部", set()),
        "demo-consultant": ("咨询师", "sunshine", "市场部", set()),
        "demo-consultant-meilai": ("咨询师", "meilai", "市场部", set()),
    }
    for username, (role, site, department, extra) in expected.items():
        user = User.objects.get(username=username)
        staff = user.staff
        assert list(user.groups.values_list("name", flat=True)) == [role], username
        assert (staff.department.site.code, staff.department.name) == (site, department), username
        assert set(staff.extra_sites.values_list("code", flat=True)) == extra, username
    assert User.objects.get(username="demo-consultant").staff.team.name == "销售一组"
    assert User.objects.get(username="demo-consultant-meilai").staff.team.name == "电话咨询组"
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff


@pytest.mark.django_db
def test_every_consultant_has_a_login_named_after_their_employee_number():
    load()
    consultants = Staff.objects.filter(user__groups__name="咨询师").select_related("user")
    assert consultants.count() == 22
    for staff in consultants:
        assert staff.user.username in {"demo-consultant", "demo-consultant-meilai", f"c-{staff.employee_no}"}


@pytest.mark.django_db
def test_staff_have_unique_names_and_chinese_mobile_numbers():
    load()
    staff = list(Staff.objects.all())
    assert len({s.name for s in staff}) == len(staff) == 108
    assert all(re.fullmatch(r"1[3-9]\d{9}", s.phone) for s in staff)
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", s.name) for s in staff)


def test_the_same_seed_gives_the_same_people_and_another_seed_does_not():
    def roster(seed: int) -> list:
        factory = PeopleFactory(seed)
        return [factory.person() for _ in range(60)]

    assert roster(2026) == roster(2026)
    assert roster(2026) != roster(7)


# Transactional: PostgreSQL refuses to TRUNCATE (flush) inside a test's open transaction.
@pytest.mark.django_db(transaction=True)
def test_reset_reloads_from_an_empty_database():
    load()
    Staff.objects.filter(employee_no="10001").update(name="改过的名字")
    load("--reset")
    assert Staff.objects.get(employee_no="10001").name != "改过的名字"
    assert Staff.objects.count() == 108


@pytest.mark.django_db
def test_reset_is_refused_when_the_database_holds_other_sites():
    Site.objects.create(code="real-site", name="真实院区")
    with pytest.raises(CommandError, match="real-site"):
        load("--reset")
    assert Site.objects.filter(code="real-site").exists()


def test_steps_are_dotted_paths_starting_with_the_organization():
    assert STEPS[0] == "opscenter.demo.org.build_org"
    assert all(isinstance(step, str) and step.count(".") >= 2 for step in STEPS)
