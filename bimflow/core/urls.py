from django.urls import path

from bimflow.core import views

urlpatterns = [path("health/", views.health, name="health")]
