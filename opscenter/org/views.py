from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from opscenter.core.audit import history_for
from opscenter.org import selectors


def org_chart(request: HttpRequest) -> HttpResponse:
    return render(request, "org/org_chart.html", {"sites": selectors.org_tree(user=request.user)})


def staff_detail(request: HttpRequest, staff_id: int) -> HttpResponse:
    staff = selectors.staff_list(user=request.user).filter(pk=staff_id).first()
    if staff is None:
        raise Http404("员工不存在或无权访问")
    return render(request, "org/staff_detail.html", {"staff": staff, "history": history_for(staff)[:100]})
