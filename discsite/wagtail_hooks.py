"""Wagtail hooks for the core app: search synonyms and the safety-net texts as snippets, Publish
offered on a snippet only when it may go live, and documents served to readers only once a live
page shows them (discsite/media_access.py)."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import media_access
from .models import PublishGateMixin, SafetyNetText, SearchSynonym, publish_refusal


class SearchSynonymViewSet(SnippetViewSet):
    model = SearchSynonym
    icon = "search"
    menu_label = "Search synonyms"
    add_to_admin_menu = False
    list_display = ["term", "alternatives"]
    search_fields = ["term", "alternatives"]
    search_backend_name = None  # a handful of rows: the ORM's icontains is enough, no index to keep
    ordering = ["term"]


register_snippet(SearchSynonymViewSet)


class SafetyNetTextViewSet(SnippetViewSet):
    """The urgent-care card and disclaimer: one row, edited, clinically reviewed and published like a page."""

    model = SafetyNetText
    icon = "warning"
    menu_label = "Safety-net texts"
    add_to_admin_menu = False
    search_fields = None


register_snippet(SafetyNetTextViewSet)


@hooks.register("construct_snippet_action_menu")
def offer_snippet_publish_only_when_it_may_go_live(menu_items, request, context):
    """Only the actions that can work. A gated snippet (the safety-net texts) in a workflow goes live
    through it, at the sign-off; outside one, Publish would put the latest revision live, which the
    publishing gate refuses unless a clinician approved exactly that. Either way, no Publish button
    that can only end in a refusal. (Pages get the same from their permission tester and the
    construct_page_action_menu hook in articles.)"""
    instance = context.get("instance")
    if not isinstance(instance, PublishGateMixin) or instance.pk is None:
        return
    in_workflow = getattr(instance, "current_workflow_state", None) is not None
    if in_workflow or publish_refusal(instance, instance.latest_revision):
        menu_items[:] = [item for item in menu_items if item.name != "action-publish"]


# /documents/<id>/<name>: a reader without admin access gets a document only if a live page shows
# it, else the 404 of a document that does not exist. First (order=-1), so that even a document in
# a restricted collection is not confirmed to exist by Wagtail's own hook asking for a password.
hooks.register("before_serve_document", media_access.refuse_unless_shown_by_live_page, order=-1)
