"""The hand-over page of a departing staff member (离职交接): what they still hold, and one form
that hands it all to a colleague or spreads it over their team."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opscenter.core.exceptions import DomainError, NotFound, PermissionDenied
from opscenter.org.selectors import scope_for, staff_list
from opscenter.pipeline.choices import AppointmentStatus, FollowUpOutcome
from opscenter.pipeline.forms import add_domain_error
from opscenter.pipeline.models import Appointment, Customer, FollowUp
from opscenter.pipeline.services._common import is_manager
from opscenter.pipeline.services.handover import staff_hand_over


class HandOverForm(forms.Form):
    to_staff = forms.ModelChoiceField(
        label=gettext_lazy("接手人"), queryset=None, required=False,
        empty_label=gettext_lazy("本小组其他成员（按工号轮流分配）"),
    )  # fmt: skip
    left_on = forms.DateField(
        label=gettext_lazy("离职日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("填写后该员工记为离职并停用登录账号；留空只交接工作"),
    )  # fmt: skip
    reason = forms.CharField(label=gettext_lazy("交接原因"), max_length=200)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_staff"].queryset = staff


def staff_hand_over_view(request: HttpRequest, staff_id: int) -> HttpResponse:
    scope = scope_for(request.user)
    if not (scope.can("pipeline.change_customer") and is_manager(scope)):
        raise DjangoPermissionDenied(_("只有主管可以办理离职交接"))
    leaver = (
        staff_list(user=request.user).select_related("department__site", "team").filter(pk=staff_id).first()
    )
    if leaver is None:
        raise Http404(_("员工不存在或无权访问"))
    colleagues = (
        staff_list(user=request.user, site_id=leaver.department.site_id)
        .filter(is_active=True).exclude(pk=leaver.pk).order_by("name")
    )  # fmt: skip
    form = HandOverForm(request.POST or None, staff=colleagues, initial={"left_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = staff_hand_over(
                actor=request.user, staff_id=leaver.pk, to_staff_id=data["to_staff"].pk if data["to_staff"] else None,
                reason=data["reason"], left_on=data["left_on"],
            )  # fmt: skip
        except (NotFound, PermissionDenied) as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            moved = result.moved
            messages.success(
                request,
                _("已交接：客户 %(customers)s 位、回访 %(followups)s 条、预约 %(appointments)s 个、关怀任务 %(tasks)s 项")
                % {"customers": moved.get("customers", 0), "followups": moved.get("followups", 0),
                   "appointments": moved.get("appointments", 0), "tasks": moved.get("care_tasks", 0)},
            )  # fmt: skip
            return HttpResponseRedirect(reverse("org:staff_detail", args=[leaver.pk]))
    holds = {
        "customers": Customer.objects.filter(owner=leaver, is_deleted=False).count(),
        "followups": FollowUp.objects.filter(
            staff=leaver, done_on__isnull=True, outcome=FollowUpOutcome.PENDING
        ).count(),
        "appointments": Appointment.objects.filter(owner=leaver, status=AppointmentStatus.BOOKED).count(),
    }
    return render(request, "pipeline/staff_hand_over.html", {"leaver": leaver, "form": form, "holds": holds})
