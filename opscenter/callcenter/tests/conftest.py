import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from opscenter.core.testing import make_department, make_person, make_site, make_staff

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class CallCenter:
    site: object
    department: object
    queue: object
    agent1: object
    agent2: object
    manager: object  # a call-center user of the site (role 客服中心)

    def at(self, day: dt.date, hh: int, mm: int, ss: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=SHANGHAI)


@pytest.fixture
def cc(db):
    from opscenter.callcenter.services import queue_create

    site = make_site("hotline", "96180 客服中心", kind="call_center")
    department = make_department(site, "call_center")
    queue = queue_create(
        actor=None,
        site_id=site.pk,
        code="96180",
        name="96180 热线",
        hotline="96180",
        sl_seconds=20,
        sl_target="0.8",
        short_abandon_seconds=5,
        department_id=department.pk,
    )
    manager = make_person("cc_manager", "call_center", site, "call_center", name="值班长")
    agent1 = make_staff(department=department, name="坐席甲")
    agent2 = make_staff(department=department, name="坐席乙")
    return CallCenter(site, department, queue, agent1, agent2, manager)


def record(cc, items, **kwargs):
    from opscenter.callcenter.services import call_record_batch

    return call_record_batch(actor=None, site_id=cc.site.pk, items=items, **kwargs)
