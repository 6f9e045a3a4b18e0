from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "bimflow.catalog"
    label = "catalog"
    verbose_name = "Catalog (elements, storeys, materials, systems)"
