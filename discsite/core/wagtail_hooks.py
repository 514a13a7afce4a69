"""Wagtail hooks for the ground: the safety-net texts as a snippet, Publish offered on a snippet only
when it may go live, and an editor's form refused whole when its data cannot be read."""

from django.template.response import TemplateResponse
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .form_data import unreadable_fields
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


@hooks.register("before_create_page")
@hooks.register("before_edit_page")
@hooks.register("before_create_snippet")
@hooks.register("before_edit_snippet")
def refuse_unreadable_form_data(request, *args):
    """An editor's form whose data a field cannot read (core.form_data) is refused whole with a 400 page that
    names the field, before Wagtail reads it: its widgets would raise after part of the request had run.
    Every page type and snippet is created and edited through these four views (reverting to a revision
    too); Wagtail's preview, which has no such hook, by core.form_data's preview views.

    The hooks are called (request, page) to edit a page, (request, parent, page class) to create one, and
    (request, model or object) for a snippet: the last is the object or class whose edit handler makes the
    form (`get_edit_handler`, on pages and, attached by their viewset, on snippets)."""
    if request.method != "POST":
        return None
    edited = args[-1]
    form_class = edited.get_edit_handler().get_form_class()
    unreadable = unreadable_fields(form_class, request.POST, request.FILES)
    if not unreadable:
        return None
    named = ", ".join(f"“{label}”" for label in unreadable)
    return TemplateResponse(
        request,
        "discsite/admin/refused.html",
        {
            "heading": "Form not saved",
            "title": f"New {edited._meta.verbose_name}" if isinstance(edited, type) else str(edited),
            "back_url": request.path,
            "reason": f"The data sent for {named} is not what the editor sends, so it could not be read. "
            "Reload the editor and make the change again.",
        },
        status=400,
    )
