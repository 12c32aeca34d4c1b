"""Writes of commitment trees: create (with nodes), revise (new version), transition."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.commitments.choices import (
    TREE_TRANSITIONS,
    AllowanceKind,
    Event,
    Process,
    TreeStatus,
    ValueComparison,
)
from opscenter.commitments.models import Commitment, CommitmentTree
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import ValidationError
from opscenter.org.selectors import scope_for


@dataclass
class NodeSpec:
    """One promise of a tree to create; `children` are the next level."""

    name: str
    start_event: str
    end_event: str
    allowance_minutes: int
    wording: str = ""
    allowance_kind: str = AllowanceKind.BUSINESS
    warning_pct: int = 80
    department_id: int | None = None
    position_id: int | None = None
    opens_work_order: bool = False
    value_key: str = ""
    value_comparison: str = ""
    value_bound: Decimal | None = None
    value_unit: str = ""
    children: list[NodeSpec] = field(default_factory=list)


def _check_value(node: NodeSpec) -> None:
    """A value commitment names what it measures, which way the bound goes, and the bound."""
    if not re.fullmatch(r"[a-z0-9_-]{1,40}", node.value_key or ""):
        raise ValidationError(
            _("「%(name)s」的测量项应为 1–40 位小写字母、数字、_ 或 -") % {"name": node.name},
            field="value_key",
        )
    if node.value_comparison not in ValueComparison.values:
        raise ValidationError(
            _("「%(name)s」的界限方向不正确") % {"name": node.name}, field="value_comparison"
        )
    try:
        node.value_bound = Decimal(str(node.value_bound)) if node.value_bound not in (None, "") else None
    except InvalidOperation:
        node.value_bound = None
    if node.value_bound is None or not node.value_bound.is_finite() or abs(node.value_bound) >= 10**10:
        raise ValidationError(_("「%(name)s」的数值界限不是数字") % {"name": node.name}, field="value_bound")
    node.allowance_minutes = 0


def _check_node(node: NodeSpec, level: int) -> None:
    if level > 3:
        raise ValidationError(_("服务承诺最多三级"), field="level")
    if not node.name.strip():
        raise ValidationError(_("请填写承诺名称"), field="name")
    for name in ("start_event", "end_event"):
        if getattr(node, name) not in Event.values:
            raise ValidationError(
                _("「%(name)s」的事件不正确：%(getattr)s")
                % {"name": node.name, "getattr": getattr(node, name)},
                field=name,
            )
    if node.start_event == node.end_event:
        raise ValidationError(_("「%(name)s」的起止事件不能相同") % {"name": node.name}, field="end_event")
    if node.allowance_kind == AllowanceKind.VALUE:
        _check_value(node)
    elif node.allowance_minutes is None or node.allowance_minutes <= 0:
        raise ValidationError(
            _("「%(name)s」的时限必须大于 0") % {"name": node.name}, field="allowance_minutes"
        )
    if not 1 <= node.warning_pct <= 99:
        raise ValidationError(
            _("「%(name)s」的预警点应在 1–99%% 之间") % {"name": node.name}, field="warning_pct"
        )
    if node.allowance_kind not in AllowanceKind.values:
        raise ValidationError(_("「%(name)s」的时限口径不正确") % {"name": node.name}, field="allowance_kind")
    for child in node.children:
        _check_node(child, level + 1)


def _create_nodes(
    tree: CommitmentTree, node: NodeSpec, parent: Commitment | None, level: int, order: int
) -> None:
    created = Commitment.objects.create(
        tree=tree,
        parent=parent,
        level=level,
        position_in_tree=order,
        name=node.name.strip(),
        wording=node.wording,
        start_event=node.start_event,
        end_event=node.end_event,
        allowance_kind=node.allowance_kind,
        allowance_minutes=node.allowance_minutes,
        warning_pct=node.warning_pct,
        department_id=node.department_id,
        position_id=node.position_id,
        opens_work_order=node.opens_work_order,
        value_key=node.value_key if node.allowance_kind == AllowanceKind.VALUE else "",
        value_comparison=node.value_comparison if node.allowance_kind == AllowanceKind.VALUE else "",
        value_bound=node.value_bound if node.allowance_kind == AllowanceKind.VALUE else None,
        value_unit=node.value_unit.strip() if node.allowance_kind == AllowanceKind.VALUE else "",
    )
    for i, child in enumerate(node.children):
        _create_nodes(tree, child, created, level + 1, i)


@transaction.atomic
@as_actor
def commitment_tree_create(
    *,
    actor,
    site_id: int,
    family: str,
    name: str,
    root: NodeSpec,
    process: str = Process.EXTERNAL,
    qualifying_event: str = "",
    perception_point_id: int | None = None,
    is_example: bool = False,
) -> CommitmentTree:
    """A new draft tree version (version 1 of `family`, or the next one) with its promises."""
    if actor is not None:
        scope = scope_for(actor)
        scope.require("commitments.add_commitmenttree")
        scope.require_site(site_id, write=True)
    if not family.strip() or not name.strip():
        raise ValidationError(_("请填写承诺编码和名称"), field="family")
    if process not in Process.values:
        raise ValidationError(_("流程不正确"), field="process")
    _check_node(root, 1)
    last = CommitmentTree.objects.filter(site_id=site_id, family=family).aggregate(v=Max("version"))["v"] or 0
    tree = CommitmentTree.objects.create(
        site_id=site_id,
        family=family.strip(),
        version=last + 1,
        name=name.strip(),
        process=process,
        qualifying_event=qualifying_event,
        perception_point_id=perception_point_id,
        is_example=is_example,
    )
    _create_nodes(tree, root, None, 1, 0)
    return tree


def _spec_of(commitment: Commitment, children: dict[int | None, list[Commitment]]) -> NodeSpec:
    return NodeSpec(
        name=commitment.name,
        wording=commitment.wording,
        start_event=commitment.start_event,
        end_event=commitment.end_event,
        allowance_minutes=commitment.allowance_minutes,
        allowance_kind=commitment.allowance_kind,
        warning_pct=commitment.warning_pct,
        department_id=commitment.department_id,
        position_id=commitment.position_id,
        opens_work_order=commitment.opens_work_order,
        value_key=commitment.value_key,
        value_comparison=commitment.value_comparison,
        value_bound=commitment.value_bound,
        value_unit=commitment.value_unit,
        children=[_spec_of(c, children) for c in children.get(commitment.pk, [])],
    )


def tree_spec(tree: CommitmentTree) -> NodeSpec:
    """The tree's promises as a NodeSpec (to copy into a new version or to edit)."""
    children: dict[int | None, list[Commitment]] = {}
    for c in tree.commitments.order_by("level", "position_in_tree", "pk"):
        children.setdefault(c.parent_id, []).append(c)
    return _spec_of(children[None][0], children)


@transaction.atomic
@as_actor
def commitment_tree_revise(*, actor, tree_id: int, root: NodeSpec | None = None) -> CommitmentTree:
    """Editing a tree: a draft is changed in place; an active or retired one gets a new draft
    version (copied, or built from `root`), leaving measured versions untouched."""
    tree = CommitmentTree.objects.select_for_update().get(pk=tree_id)
    if actor is not None:
        scope = scope_for(actor)
        scope.require("commitments.change_commitmenttree")
        scope.require_site(tree.site_id, write=True)
    spec = root or tree_spec(tree)
    _check_node(spec, 1)
    if tree.status == TreeStatus.DRAFT:
        tree.commitments.all().delete()
        _create_nodes(tree, spec, None, 1, 0)
        return tree
    return commitment_tree_create(
        actor=actor,
        site_id=tree.site_id,
        family=tree.family,
        name=tree.name,
        root=spec,
        process=tree.process,
        qualifying_event=tree.qualifying_event,
        perception_point_id=tree.perception_point_id,
        is_example=tree.is_example,
    )


@transaction.atomic
@as_actor
def commitment_tree_transition(*, actor, tree_id: int, to_status: str) -> CommitmentTree:
    """Move a tree version along TREE_TRANSITIONS; activating retires the family's active version."""
    tree = CommitmentTree.objects.select_for_update().get(pk=tree_id)
    if actor is not None:
        scope = scope_for(actor)
        scope.require("commitments.change_commitmenttree")
        scope.require_site(tree.site_id, write=True)
    if to_status not in TreeStatus.values:
        raise ValidationError(_("状态不正确：%(to_status)s") % {"to_status": to_status}, field="status")
    allowed = TREE_TRANSITIONS[tree.status]
    if to_status not in allowed:
        names = _("、").join(str(TreeStatus(s).label) for s in allowed) or _("无")
        raise ValidationError(
            _("承诺体系当前为「%(status)s」，不能改为「%(label)s」；可改为：%(names)s")
            % {"status": tree.get_status_display(), "label": TreeStatus(to_status).label, "names": names},
            field="status",
        )
    if to_status == TreeStatus.ACTIVE:
        for old in CommitmentTree.objects.filter(
            site_id=tree.site_id, family=tree.family, status=TreeStatus.ACTIVE
        ):
            old.status = TreeStatus.RETIRED
            old.save(update_fields=["status"])
        tree.activated_at = timezone.now()
    tree.status = to_status
    tree.save(update_fields=["status", "activated_at"])
    return tree


@transaction.atomic
@as_actor
def commitment_update(
    *,
    actor,
    commitment_id: int,
    allowance_minutes: int | None = None,
    warning_pct: int | None = None,
    wording: str | None = None,
    value_bound: Decimal | str | None = None,
) -> Commitment:
    """Change a promise's allowance / warning point (or, for a value commitment, its bound). On a
    draft tree in place; on an active or retired tree a new draft version is made first and the
    change lands there (measurements keep the version they were measured under)."""
    commitment = Commitment.objects.select_related("tree").filter(pk=commitment_id).first()
    if commitment is None:
        raise ValidationError(_("承诺不存在"), field="commitment")
    spec = NodeSpec(
        name=commitment.name,
        start_event=commitment.start_event,
        end_event=commitment.end_event,
        allowance_kind=commitment.allowance_kind,
        allowance_minutes=int(allowance_minutes) if allowance_minutes is not None else 0,
        warning_pct=int(warning_pct) if warning_pct is not None else commitment.warning_pct,
        value_key=commitment.value_key,
        value_comparison=commitment.value_comparison,
        value_bound=value_bound,
    )
    if actor is not None:
        scope = scope_for(actor)
        scope.require("commitments.change_commitmenttree")
        scope.require_site(commitment.tree.site_id, write=True)
    _check_node(spec, commitment.level)
    commitment = _editable(actor, commitment)
    if commitment.is_value:
        commitment.value_bound = spec.value_bound
    else:
        commitment.allowance_minutes = spec.allowance_minutes
        commitment.warning_pct = spec.warning_pct
    if wording is not None:
        commitment.wording = wording
    commitment.save(update_fields=["allowance_minutes", "warning_pct", "wording", "value_bound"])
    return commitment


def _path(commitment: Commitment) -> list[int]:
    """The node's place in its tree as sibling indices from the root (stable across versions:
    `commitment_tree_revise` copies siblings in their order)."""
    nodes = list(commitment.tree.commitments.order_by("level", "position_in_tree", "pk"))
    siblings: dict[int | None, list[int]] = {}
    for c in nodes:
        siblings.setdefault(c.parent_id, []).append(c.pk)
    parent_of = {c.pk: c.parent_id for c in nodes}
    path: list[int] = []
    current: int | None = commitment.pk
    while current is not None:
        path.append(siblings[parent_of[current]].index(current))
        current = parent_of[current]
    return path[::-1]


def _at_path(tree: CommitmentTree, path: list[int]) -> Commitment:
    nodes = list(tree.commitments.order_by("level", "position_in_tree", "pk"))
    siblings: dict[int | None, list[Commitment]] = {}
    for c in nodes:
        siblings.setdefault(c.parent_id, []).append(c)
    node: Commitment | None = None
    for index in path:
        node = siblings[node.pk if node else None][index]
    assert node is not None
    return node


def _editable(actor, commitment: Commitment) -> Commitment:
    """The commitment itself on a draft; on an active or retired tree its counterpart in the
    family's draft version (made now when there is none): edits never touch a measured version."""
    tree = commitment.tree
    if actor is not None:
        scope = scope_for(actor)
        scope.require("commitments.change_commitmenttree")
        scope.require_site(tree.site_id, write=True)
    if tree.status == TreeStatus.DRAFT:
        return commitment
    path = _path(commitment)
    draft = CommitmentTree.objects.filter(
        site_id=tree.site_id, family=tree.family, status=TreeStatus.DRAFT
    ).first()
    draft = draft or commitment_tree_revise(actor=actor, tree_id=tree.pk)
    return _at_path(draft, path)


@transaction.atomic
@as_actor
def commitment_add(*, actor, parent_id: int, node: NodeSpec) -> Commitment:
    """Add a promise (and its `children`) under `parent_id`. On a draft tree in place; on an active
    or retired one in the family's draft version (a new version: instances measured so far keep
    theirs). Returns the new commitment; its `tree` is the version it landed in."""
    parent = Commitment.objects.select_related("tree").filter(pk=parent_id).first()
    if parent is None:
        raise ValidationError(_("上级承诺不存在"), field="parent")
    parent = _editable(actor, parent)
    _check_node(node, parent.level + 1)
    order = (parent.children.aggregate(m=Max("position_in_tree"))["m"] or 0) + 1
    _create_nodes(parent.tree, node, parent, parent.level + 1, order)
    return parent.children.order_by("-position_in_tree", "-pk").select_related("tree").first()


@transaction.atomic
@as_actor
def commitment_remove(*, actor, commitment_id: int) -> CommitmentTree:
    """Remove a level-2/3 promise with the promises under it. On a draft in place; on an active
    or retired tree from the family's draft version. Returns the version changed. The level-1
    promise is the tree itself and cannot be removed."""
    commitment = Commitment.objects.select_related("tree").filter(pk=commitment_id).first()
    if commitment is None:
        raise ValidationError(_("承诺不存在"), field="commitment")
    if commitment.level == 1:
        raise ValidationError(
            _("一级承诺「%(name)s」不能删除；请停用整个承诺体系") % {"name": commitment.name},
            field="commitment",
        )
    target = _editable(actor, commitment)
    tree = target.tree
    target.delete()  # cascades to its children
    return tree
