from django.apps import AppConfig


class DiscsiteConfig(AppConfig):
    name = "discsite"
    verbose_name = "Site"
