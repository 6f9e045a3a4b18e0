from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bimflow.accounts"
    label = "accounts"
    verbose_name = "Accounts and membership"
