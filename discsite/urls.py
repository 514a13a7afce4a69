from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from discsite import api, health, media_access, views
from discsite.core.caching import cacheable
from discsite.feeds import latest_health_pages_feed
from discsite.sitemaps import sitemap_index, sitemap_section

# A styled 503 (templates/503.html) when the error is the database's, else the usual 500 page.
handler500 = "discsite.outage.server_error"

urlpatterns = [
    # For load balancers (discsite/health.py): never cached, no session.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", views.search, name="search"),
    path("sitemap.xml", cacheable(sitemap_index), name="sitemap"),
    path("sitemap-<slug:section>.xml", cacheable(sitemap_section), name="sitemap-section"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("feed/", cacheable(latest_health_pages_feed), name="feed"),
    path("api/v2/", api.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    # Uploads as the production web server serves them: renditions, not originals or documents
    # (those go through /documents/, which serves readers only what a live page shows).
    urlpatterns += media_access.development_media_urlpatterns()

# Wagtail serves every other path from the page tree; keep it last.
urlpatterns += [path("", include(wagtail_urls))]
