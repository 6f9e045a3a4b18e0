from django.urls import re_path

from bimflow.web import views

urlpatterns = [
    re_path(r"^(?!api/|admin/|static/|assets/)(?P<path>.*)$", views.spa, name="spa"),
]
