from django.urls import path

from bimflow.projects import files, views

urlpatterns = [
    path("projects/", views.ProjectList.as_view(), name="project-list"),
    path("projects/<int:project_id>/", views.ProjectDetail.as_view(), name="project-detail"),
    path(
        "projects/<int:project_id>/models/",
        views.ProjectModelList.as_view(),
        name="project-models",
    ),
    path(
        "projects/<int:project_id>/versions/",
        views.VersionUpload.as_view(),
        name="version-upload",
    ),
    path("models/<int:model_id>/", views.ModelDetail.as_view(), name="model-detail"),
    path(
        "models/<int:model_id>/versions/", views.ModelVersionList.as_view(), name="model-versions"
    ),
    path("versions/<int:version_id>/", views.VersionDetail.as_view(), name="version-detail"),
    path(
        "versions/<int:version_id>/download/",
        views.VersionDownload.as_view(),
        name="version-download",
    ),
    path("versions/<int:version_id>/ifc/", views.VersionIfc.as_view(), name="version-ifc"),
    path("projects/<int:project_id>/files/", files.ProjectFileList.as_view(), name="project-files"),
    path("project-files/<int:file_id>/", files.ProjectFileDetail.as_view(), name="project-file"),
    path(
        "project-files/<int:file_id>/download/",
        files.ProjectFileDownload.as_view(),
        name="project-file-download",
    ),
]
