from django.apps import AppConfig


class DiscsiteConfig(AppConfig):
    """The site on top of the apps: home, search, feeds, sitemaps, the API, structured data, the seed."""

    name = "discsite"
    verbose_name = "Site"

    def ready(self):
        # Registered once the apps are loaded, as Django's docs ask of checks and signals.
        from discsite import checks  # noqa: F401 (registers the deployment checks)
        from discsite.core.invalidation import bump_on_change

        bump_on_change("discsite.SearchSynonym")
