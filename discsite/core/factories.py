"""Where a page made by a test factory goes when the test does not say: the section of its type.

The site's tree (the home page and its sections) is the site's own (discsite.factories); the test
settings name its builder in DISCSITE_SITE_TREE_BUILDER, as Django names its pluggable parts, so
the apps' factories, which stand below the site, need not import it.
"""

from django.conf import settings
from django.utils.module_loading import import_string


def section(index_model):
    """The section page of `index_model` (there is one of each), made with the site's tree if need be."""
    index = index_model.objects.first()
    if index is None:
        import_string(settings.DISCSITE_SITE_TREE_BUILDER)()
        index = index_model.objects.get()
    return index
