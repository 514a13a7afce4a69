"""Views outside the page tree: search and robots.txt."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from discsite.models import paginate

SEARCH_QUERY_MAX_LENGTH = 200


@require_GET
def search(request):
    from wagtail.models import Page

    from articles.models import HEALTH_PAGE_MODELS

    query = request.GET.get("q", "").strip()[:SEARCH_QUERY_MAX_LENGTH]
    results = None
    if query:
        pages = Page.objects.live().type(*HEALTH_PAGE_MODELS)
        results = paginate(request, pages.search(query))
    return render(request, "discsite/search.html", {"search_query": query, "results": results})


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
