from django.urls import path, re_path

from bimflow.automation import preview_views, version_views, views

urlpatterns = [
    path(
        "projects/<int:project_id>/workflows/",
        views.ProjectWorkflowList.as_view(),
        name="project-workflows",
    ),
    path("workflows/<int:workflow_id>/", views.WorkflowDetail.as_view(), name="workflow-detail"),
    path("workflows/<int:workflow_id>/run/", views.WorkflowRunNow.as_view(), name="workflow-run"),
    path(
        "workflows/<int:workflow_id>/backfill/",
        views.WorkflowBackfill.as_view(),
        name="workflow-backfill",
    ),
    path("workflow-runs/", views.WorkflowRunList.as_view(), name="workflow-run-list"),
    path(
        "workflow-runs/<int:run_id>/",
        views.WorkflowRunDetail.as_view(),
        name="workflow-run-detail",
    ),
    path(
        "workflow-runs/<int:run_id>/cancel/",
        views.WorkflowRunCancel.as_view(),
        name="workflow-run-cancel",
    ),
    path("automation/limits/", views.AutomationLimits.as_view(), name="automation-limits"),
    path(
        "projects/<int:project_id>/batches/",
        views.ProjectBatchList.as_view(),
        name="project-batches",
    ),
    path("batches/<int:batch_id>/", views.BatchDetail.as_view(), name="batch-detail"),
    path("batches/<int:batch_id>/cancel/", views.BatchCancel.as_view(), name="batch-cancel"),
    path(
        "batches/<int:batch_id>/summary.csv",
        views.BatchSummaryCsv.as_view(),
        name="batch-summary-csv",
    ),
    path(
        "batches/<int:batch_id>/summary.xlsx",
        views.BatchSummaryXlsx.as_view(),
        name="batch-summary-xlsx",
    ),
    path("models/<int:model_id>/findings/", views.ModelFindings.as_view(), name="model-findings"),
    path(
        "projects/<int:project_id>/activity/",
        views.ProjectActivity.as_view(),
        name="project-activity",
    ),
    path("notifications/", views.NotificationList.as_view(), name="notification-list"),
    path("notifications/read/", views.NotificationMarkRead.as_view(), name="notification-read-all"),
    path(
        "notifications/preferences/",
        views.NotificationPreferences.as_view(),
        name="notification-preferences",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        views.NotificationRead.as_view(),
        name="notification-read",
    ),
    path("tools/", views.ToolList.as_view(), name="tool-list"),
    path("automation/cron-preview/", preview_views.CronPreview.as_view(), name="cron-preview"),
    path(
        "projects/<int:project_id>/batches/preview/",
        preview_views.BatchPreview.as_view(),
        name="project-batches-preview",
    ),
    path(
        "versions/<int:version_id>/checks/",
        version_views.VersionChecks.as_view(),
        name="version-checks",
    ),
    path(
        "versions/<int:version_id>/checks/run/",
        version_views.VersionChecksRun.as_view(),
        name="version-checks-run",
    ),
    path(
        "versions/<int:version_id>/findings/",
        version_views.VersionFindings.as_view(),
        name="version-findings",
    ),
    path(
        "versions/<int:version_id>/findings/groups/",
        version_views.VersionFindingGroups.as_view(),
        name="version-finding-groups",
    ),
    re_path(
        r"^versions/(?P<version_id>\d+)/findings/export\.(?P<fmt>csv|xlsx|bcf)$",
        version_views.VersionFindingsExport.as_view(),
        name="version-findings-export",
    ),
]
