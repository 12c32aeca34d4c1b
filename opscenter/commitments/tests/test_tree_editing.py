"""Adding and removing promises on the tree screen (versioned) and editing perception points."""

import datetime as dt

import pytest

from opscenter.commitments import services
from opscenter.commitments.choices import Event, TreeStatus
from opscenter.commitments.models import Commitment, CommitmentTree, Measurement, PerceptionPoint
from opscenter.commitments.tests.factories import delivery_tree
from opscenter.core.businesstime import SHANGHAI
from opscenter.core.exceptions import PermissionDenied, ValidationError

pytestmark = pytest.mark.django_db


def at(d, h, mi=0):
    return dt.datetime(2026, 11, d, h, mi, tzinfo=SHANGHAI)


def _names(tree):
    return sorted(tree.commitments.values_list("name", flat=True))


def test_adding_a_node_to_an_active_tree_makes_a_new_version_and_instances_keep_theirs(client, personas):
    v1 = delivery_tree(personas.site_a)
    services.measurement_record(
        tree=v1, subject_kind="order", subject_ref="1", events={Event.ORDER_PLACED: at(2, 9)}
    )
    waiting = v1.commitments.get(name="发货等待")
    client.force_login(personas.ops_a)
    response = client.post(
        f"/commitments/trees/{v1.pk}/",
        {
            "parent": waiting.pk,
            "name": "拣货",
            "start_event": Event.ORDER_ENTERED,
            "end_event": Event.SHIPPED,
            "allowance_kind": "business",
            "allowance_hours": "1.5",
            "warning_pct": "80",
        },
    )
    assert response.status_code == 302
    v2 = CommitmentTree.objects.get(family="delivery", version=2)
    assert response["Location"] == f"/commitments/trees/{v2.pk}/"
    assert v2.status == TreeStatus.DRAFT
    picking = v2.commitments.get(name="拣货")
    assert picking.level == 3 and picking.parent.name == "发货等待" and picking.allowance_minutes == 90
    assert "拣货" not in _names(v1)  # the measured version is untouched
    page = client.get(f"/commitments/trees/{v2.pk}/").content.decode()
    assert 'id="node-form"' in page and "拣货" in page
    assert Measurement.objects.get(subject_ref="1").tree_id == v1.pk
    # A second edit before activation lands in the same draft, not in a third version.
    services.commitment_remove(actor=personas.ops_a, commitment_id=v1.commitments.get(name="录单").pk)
    assert CommitmentTree.objects.filter(family="delivery").count() == 2
    assert _names(v2) == ["发货等待", "拣货", "物流", "送货"]
    assert _names(v1) == ["发货等待", "录单", "物流", "送货"]


def test_removing_a_node_of_a_draft_removes_its_children_in_place(personas):
    v1 = delivery_tree(personas.site_a)
    draft = services.commitment_tree_revise(actor=personas.ops_a, tree_id=v1.pk)
    waiting = draft.commitments.get(name="发货等待")
    services.commitment_add(
        actor=personas.ops_a,
        parent_id=waiting.pk,
        node=services.NodeSpec(
            name="拣货", start_event=Event.ORDER_ENTERED, end_event=Event.SHIPPED, allowance_minutes=60
        ),
    )
    changed = services.commitment_remove(actor=personas.ops_a, commitment_id=waiting.pk)
    assert changed.pk == draft.pk
    assert _names(draft) == ["录单", "物流", "送货"]


def test_the_level_one_promise_cannot_be_removed_and_other_sites_cannot_edit(client, personas):
    v1 = delivery_tree(personas.site_a)
    root = v1.commitments.get(level=1)
    with pytest.raises(ValidationError, match="不能删除"):
        services.commitment_remove(actor=personas.ops_a, commitment_id=root.pk)
    with pytest.raises(PermissionDenied):
        services.commitment_remove(actor=personas.ops_b, commitment_id=v1.commitments.get(name="录单").pk)
    client.force_login(personas.ops_b)
    assert client.post(f"/commitments/trees/{v1.pk}/commitments/{root.pk}/remove/").status_code == 404
    assert Commitment.objects.filter(tree=v1).count() == 4


def test_a_fourth_level_is_refused_naming_the_field(client, personas):
    v1 = delivery_tree(personas.site_a)
    draft = services.commitment_tree_revise(actor=personas.ops_a, tree_id=v1.pk)
    level3 = services.commitment_add(
        actor=personas.ops_a,
        parent_id=draft.commitments.get(name="物流").pk,
        node=services.NodeSpec(
            name="干线", start_event=Event.SHIPPED, end_event=Event.DELIVERED, allowance_minutes=60
        ),
    )
    with pytest.raises(ValidationError, match="最多三级"):
        services.commitment_add(
            actor=personas.ops_a,
            parent_id=level3.pk,
            node=services.NodeSpec(
                name="末端", start_event=Event.SHIPPED, end_event=Event.DELIVERED, allowance_minutes=30
            ),
        )


def test_perception_points_are_added_and_edited_on_their_screen(client, personas):
    client.force_login(personas.ops_a)
    response = client.post(
        "/commitments/perception-points/",
        {
            "site": personas.site_a.pk,
            "touchpoint": "入住",
            "perception": "签约后多久能入住",
            "importance": "5",
        },
    )
    assert response.status_code == 302
    point = PerceptionPoint.objects.get()
    response = client.post(
        f"/commitments/perception-points/{point.pk}/",
        {
            "touchpoint": "入住",
            "perception": "签约后多久能入住",
            "importance": "4",
            "satisfaction_pct": "81.5",
        },
    )
    point.refresh_from_db()
    assert (point.importance, point.satisfaction_pct) == (4, pytest.approx(81.5))
    page = client.get("/commitments/perception-points/").content.decode()
    assert "签约后多久能入住" in page
    bad = client.post(
        f"/commitments/perception-points/{point.pk}/",
        {"touchpoint": "入住", "perception": "x", "importance": "9"},
        follow=True,
    )
    assert "重要度应为 1–5" in bad.content.decode()
    client.force_login(personas.ops_b)
    assert client.post(f"/commitments/perception-points/{point.pk}/", {"touchpoint": "x"}).status_code == 404
