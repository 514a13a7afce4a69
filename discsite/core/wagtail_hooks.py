"""Wagtail hooks for the ground: the safety-net texts as a snippet, and Publish offered on a snippet
only when it may go live."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import PublishGateMixin, SafetyNetText, publish_refusal


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
