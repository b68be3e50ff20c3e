"""Reporting a question, and the owners' queue of reports."""

from django.urls import path

from quiz.reports import views

urlpatterns = [
    path("play/<uuid:attempt_id>/q/<int:position>/report/", views.report_item, name="report_item"),
    path("reports/", views.queue, name="report_queue"),
    path("reports/questions/<int:pk>/", views.question_reports, name="report_question"),
    path("reports/questions/<int:pk>/regrade/", views.question_regrade, name="report_question_regrade"),
    path("reports/questions/<int:pk>/dismiss/", views.question_dismiss, name="report_question_dismiss"),
    path("reports/generated/<int:item_id>/", views.generated_reports, name="report_generated"),
    path(
        "reports/generated/<int:item_id>/dismiss/", views.generated_dismiss, name="report_generated_dismiss"
    ),
    path("reports/facts/<int:fact_id>/", views.fact_change, name="report_fact"),
    path("reports/facts/<int:fact_id>/decide/", views.fact_decide, name="report_fact_decide"),
]
