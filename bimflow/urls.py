from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from bimflow.core.metrics import metrics_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("metrics", metrics_view, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/", include("bimflow.core.urls")),
    path("api/", include("bimflow.accounts.urls")),
    path("api/", include("bimflow.projects.urls")),
    path("api/", include("bimflow.catalog.urls")),
    path("api/", include("bimflow.scripting.urls")),
    path("api/", include("bimflow.automation.urls")),
    path("", include("bimflow.web.urls")),
]
