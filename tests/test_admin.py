"""Every bimflow model is in the Django admin, and its pages open for an operator."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


def bimflow_models():
    return [m for m in apps.get_models() if m.__module__.startswith("bimflow.")]


def inline_models() -> set:
    """Models edited inside another model's admin page (workflow steps, batch items...)."""
    return {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }


def test_every_model_is_registered():
    inlined = inline_models()
    missing = [
        m.__name__ for m in bimflow_models() if not admin.site.is_registered(m) and m not in inlined
    ]
    assert missing == []


def test_changelists_and_add_pages_open(client, django_user_model, personas):
    root = django_user_model.objects.create_superuser("root", "r@example.com", "pw-12345678")
    client.force_login(root)
    for model in bimflow_models():
        if not admin.site.is_registered(model):
            continue  # edited inline (see inline_models)
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        if admin.site._registry[model].has_add_permission(type("R", (), {"user": root})()):
            add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
            assert client.get(add).status_code == 200, add
