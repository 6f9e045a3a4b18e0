from django.urls import path

from bimflow.catalog import views

urlpatterns = [
    path("versions/<int:version_id>/elements/", views.ElementList.as_view(), name="element-list"),
    path(
        "versions/<int:version_id>/elements/<str:guid>/",
        views.ElementDetail.as_view(),
        name="element-detail",
    ),
    path(
        "versions/<int:version_id>/statistics/",
        views.VersionStatistics.as_view(),
        name="version-statistics",
    ),
    path(
        "versions/<int:version_id>/metadata/",
        views.VersionMetadata.as_view(),
        name="version-metadata",
    ),
    path("versions/<int:version_id>/diff/", views.VersionDiff.as_view(), name="version-diff"),
]
