"""A stand-in CDN for tests of the purge on publish (wagtail.contrib.frontend_cache)."""

from wagtail.contrib.frontend_cache.backends import BaseBackend

BACKEND = "discsite.core.tests.frontend_cache.RecordingBackend"


class RecordingBackend(BaseBackend):
    """Records what it is asked to purge, in `purged` (clear it first)."""

    purged = []

    def purge(self, url):
        self.purged.append(url)

    def purge_batch(self, urls):
        self.purged.extend(urls)
