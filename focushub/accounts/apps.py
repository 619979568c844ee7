from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "focushub.accounts"
    label = "accounts"
