from django.apps import AppConfig


class DiscsiteConfig(AppConfig):
    name = "discsite"
    verbose_name = "Site"

    def ready(self):
        from discsite import checks  # noqa: F401 (registers the deployment checks)
        from discsite.caching import connect_invalidation

        connect_invalidation()
