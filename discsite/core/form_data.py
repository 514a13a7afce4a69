"""An editor's form data that a field's widget cannot read: a rich text that is not Draftail's JSON, a
stream without its count. The editor in a browser always sends what the widgets read; this is for a
broken client, or someone posting by hand. Wagtail's widgets raise while reading such data, a 500.

It is refused whole with a 400 that names the fields, before Wagtail reads the form: by the create and
edit hooks (core.wagtail_hooks) and, as Wagtail's preview has no hook, by the preview views below, which
the site's page viewset uses (articles.wagtail_hooks).
"""

from django.http import JsonResponse
from wagtail.admin.views.pages.preview import PreviewOnCreateView, PreviewOnEditView

# What a widget raises when the posted data is not what its editor sends: Draftail's rich text is JSON,
# parsed as it is read (`json.loads`, then walked as blocks and entities); a StreamField's blocks are
# counted, typed and ordered by numbered fields.
UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, IndexError)


def unreadable_fields(form_class, data, files):
    """The labels of the fields of `form_class` (unprefixed, as an editor's form is) whose widget cannot read
    `data`, in form order. Its inline children's forms are left to their formsets: they hold choosers, which
    read any value and let the form say what is wrong."""
    unreadable = []
    for name, field in form_class.base_fields.items():
        try:
            field.widget.value_from_datadict(data, files, name)
        except UNREADABLE:
            unreadable.append(str(field.label or name))
    return unreadable


class RefuseUnreadablePreview:
    """For Wagtail's preview of a page being edited or created: the panel posts the form as it stands, and
    form data a widget cannot read is answered 400, in the JSON the panel reads (nothing to show), with the
    fields named, instead of a 500. Nothing is written either way: Wagtail keeps a preview's data only when
    its form is valid. (No snippet of the site is previewable.)"""

    def post(self, request, *args, **kwargs):
        form_class = self.object.get_edit_handler().get_form_class()
        unreadable = unreadable_fields(form_class, request.POST, request.FILES)
        if unreadable:
            return JsonResponse({"is_valid": False, "is_available": False, "unreadable": unreadable}, status=400)
        return super().post(request, *args, **kwargs)


class PreviewOnEdit(RefuseUnreadablePreview, PreviewOnEditView):
    """Wagtail's preview of a page being edited, refusing form data it cannot read."""


class PreviewOnCreate(RefuseUnreadablePreview, PreviewOnCreateView):
    """Wagtail's preview of a page being created, refusing form data it cannot read."""
