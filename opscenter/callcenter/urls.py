from django.urls import path

from opscenter.callcenter import views

app_name = "callcenter"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("data.json", views.dashboard_data, name="dashboard_data"),
    path("wallboard/", views.wallboard, name="wallboard"),
    path("calls/", views.call_list, name="call_list"),
    path("calls/<int:call_id>/", views.call_detail, name="call_detail"),
    path("scores/<int:score_id>/transition/", views.score_transition, name="score_transition"),
    path("staffing/", views.staffing_view, name="staffing"),
    path("qa/", views.qa_list, name="qa_list"),
    path("qa/samples/<int:sample_id>/", views.qa_sample, name="qa_sample"),
    path("knowledge/", views.knowledge_list, name="knowledge_list"),
    path("test-calls/", views.test_call_list, name="test_call_list"),
    path("agents/", views.agent_states, name="agent_states"),
    path("rules/", views.rules, name="rules"),
]
