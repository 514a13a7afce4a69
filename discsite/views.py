"""Views outside the page tree: search and robots.txt."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from discsite.core.caching import cacheable
from discsite.search import SiteSearch


@require_GET
@cacheable
def search(request):
    """Search answers, articles, experts and topics; see discsite/search.py. Reads only, never writes."""
    return render(request, "discsite/search.html", SiteSearch(request).run().context())


@require_GET
@cacheable
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
