"""Every change a reader could see moves the content version on (discsite/core/caching.py), and a
CDN in front of the site, when there is one, drops the pages that show what was published."""

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.contrib.frontend_cache.signal_handlers import (
    page_published_signal_handler,
    page_unpublished_signal_handler,
)
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from .caching import bump_content_version, bump_publication_version


def _bump_on_page_delete(sender, instance, **kwargs):
    if isinstance(instance, Page):
        bump_content_version()


def _bump_on_publish(sender, instance, **kwargs):
    """A publication retires whole responses and listings; everything else too, unless the page's type
    says its publication changes nothing shown elsewhere but listings (BasePage.publication_is_local)."""
    if getattr(instance, "publication_is_local", False):
        bump_publication_version()
    else:
        bump_content_version()


def _purge_after_commit(page, itself):
    """Once the change is committed, have a CDN drop the pages that list `page` (and the page itself when
    `itself`). After the commit, so that what a CDN fetches again is the new content, and so that the
    page's relations are read as the change left them: a publication's other handlers (the review
    record, which names the reviewer whose profile lists the page) run after this one is called."""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return

    def purge():
        current = Page.objects.filter(pk=page.pk).first()
        batch = PurgeBatch()
        if itself:
            batch.add_page(current or page)
        batch.add_pages((current.specific if current is not None else page).listed_on())
        batch.purge()

    transaction.on_commit(purge)


def purge_page_and_pages_showing(sender, instance, **kwargs):
    """A publication or unpublication: once it commits, a CDN drops the page and the pages that list it."""
    _purge_after_commit(instance, itself=True)


def page_changed_for_readers(page):
    """Something readers see of `page` changed without a publish (whether its live content waits in
    clinical review, which the apps above keep on the page's row): retire everything cached, and have
    a CDN drop the page and the pages that list it. Call it in the transaction that made the change."""
    bump_content_version()
    _purge_after_commit(page, itself=True)


def bump_on_change(*labels):
    """Move the content version on whenever a row of these models (app_label.Model) is saved or deleted."""
    for label in labels:
        model = apps.get_model(label)
        post_save.connect(bump_content_version, sender=model, dispatch_uid=f"discsite_content_version_save_{label}")
        post_delete.connect(bump_content_version, sender=model, dispatch_uid=f"discsite_content_version_del_{label}")


def connect_invalidation():
    """Every change a reader could see moves the content version on. Called from CoreConfig.ready();
    the apps above add their own models with `bump_on_change`."""
    page_published.connect(_bump_on_publish, dispatch_uid="discsite_content_version_publish")
    for signal in (page_unpublished, post_page_move, page_slug_changed):
        signal.connect(bump_content_version, dispatch_uid=f"discsite_content_version_{signal}")
    post_delete.connect(_bump_on_page_delete, dispatch_uid="discsite_content_version_page_delete")
    # wagtail.contrib.frontend_cache purges the page itself as the signal is sent, inside the publication's
    # transaction: a reader asking the CDN before it commits would have the CDN fetch and keep the old page.
    # Its handlers, connected for every page model when that app was ready (before this one), give way to
    # one that purges the page with the pages that list it, after the commit.
    for model in apps.get_models():
        if issubclass(model, Page):
            page_published.disconnect(page_published_signal_handler, sender=model)
            page_unpublished.disconnect(page_unpublished_signal_handler, sender=model)
    for signal in (page_published, page_unpublished):
        signal.connect(purge_page_and_pages_showing, dispatch_uid=f"discsite_purge_listings_{signal}")
    bump_on_change(
        "core.SiteSettings",
        "core.SafetyNetText",
        "wagtailsearchpromotions.SearchPromotion",
        "wagtailcore.Site",
        "wagtailcore.PageViewRestriction",
        "wagtailredirects.Redirect",
        "taggit.Tag",
        "wagtailimages.Image",
        "wagtaildocs.Document",
    )
