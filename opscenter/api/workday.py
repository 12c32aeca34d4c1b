"""Daily-work endpoints under /api/workday/: my items due today, hand one in, review one (scoped
like the UI; writes go through the workday services)."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Router

from opscenter.api.limits import Text, column
from opscenter.api.schema import Schema
from opscenter.core.exceptions import NotFound
from opscenter.workday import selectors, services
from opscenter.workday.models import Submission

router = Router(tags=["workday"])


class SubmissionOut(Schema):
    id: int
    template_id: int
    template: str
    template_version: int
    staff_id: int
    period: dt.date
    due_at: dt.datetime
    status: str
    late: bool
    values: dict[str, Any]
    text: str
    submitted_at: dt.datetime | None
    review_comment: str
    version: int

    @staticmethod
    def resolve_template(obj) -> str:
        return obj.template.name

    @staticmethod
    def resolve_template_version(obj) -> int:
        """The number of the template version the item was made under (its deadline's rule)."""
        return obj.template_version.number


class SubmitIn(Schema):
    values: dict[str, Any] = {}
    text: Text = ""
    version: int | None = None


class ReviewIn(Schema):
    approve: bool
    comment: column(Submission, "review_comment") = ""  # type: ignore[valid-type]
    version: int | None = None


@router.get("/due", response=list[SubmissionOut])
def due(request):
    """My items due today and earlier ones still open (sent back, reopened, missing)."""
    return selectors.due_today(user=request.auth)


@router.get("/submissions/{submission_id}", response=SubmissionOut)
def submission_detail(request, submission_id: int):
    submission = selectors.submission_get(user=request.auth, submission_id=submission_id)
    if submission is None:
        raise NotFound(_("该工作提交不存在或无权访问"))
    return submission


@router.post("/submissions/{submission_id}/submit", response=SubmissionOut)
def submit(request, submission_id: int, payload: SubmitIn):
    return services.submission_submit(
        actor=request.auth,
        submission_id=submission_id,
        values=payload.values,
        text=payload.text,
        version=payload.version,
    )


@router.post("/submissions/{submission_id}/review", response=SubmissionOut)
def review(request, submission_id: int, payload: ReviewIn):
    return services.submission_review(
        actor=request.auth,
        submission_id=submission_id,
        approve=payload.approve,
        comment=payload.comment,
        version=payload.version,
    )
