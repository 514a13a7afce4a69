from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground every app stands on: the base page types, the publishing gate, site settings,
    the content version and page cache, text helpers. It imports none of the apps above it."""

    name = "discsite.core"
    label = "core"
    verbose_name = "Site foundations"

    def ready(self):
        from .invalidation import connect_invalidation  # signals are connected once the apps are loaded

        connect_invalidation()
