from django.urls import path

from bimflow.scripting import drafts, sse, views

urlpatterns = [
    path("scripts/", views.ScriptList.as_view(), name="script-list"),
    path("scripts/upload/", views.ScriptUpload.as_view(), name="script-upload"),
    path("scripts/test-run/", drafts.ScriptTestRun.as_view(), name="script-test-run"),
    path("scripts/<str:ref>/", views.ScriptDetail.as_view(), name="script-detail"),
    path("scripts/<str:ref>/revisions/", views.ScriptRevisions.as_view(), name="script-revisions"),
    path("scripts/<str:ref>/copy/", views.ScriptCopy.as_view(), name="script-copy"),
    path("executions/", views.ExecutionList.as_view(), name="execution-list"),
    path(
        "executions/<int:execution_id>/", views.ExecutionDetail.as_view(), name="execution-detail"
    ),
    path(
        "executions/<int:execution_id>/cancel/",
        views.ExecutionCancel.as_view(),
        name="execution-cancel",
    ),
    path(
        "executions/<int:execution_id>/logs/", views.ExecutionLogs.as_view(), name="execution-logs"
    ),
    path(
        "executions/<int:execution_id>/logs.txt",
        views.ExecutionLogsText.as_view(),
        name="execution-logs-text",
    ),
    path("executions/<int:execution_id>/events/", sse.execution_events, name="execution-events"),
    path(
        "executions/<int:execution_id>/findings/",
        views.ExecutionFindings.as_view(),
        name="execution-findings",
    ),
    path(
        "executions/<int:execution_id>/files/<path:name>",
        views.ExecutionFile.as_view(),
        name="execution-file",
    ),
]
