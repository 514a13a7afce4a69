"""Serializers for the page fields the read-only API (/api/v2/) exposes.

Kept apart from discsite/api.py, which builds the endpoints: the models import these
while Django is still loading them, before the API views can be imported.
"""

from rest_framework import serializers


class ExpertSummaryField(serializers.Field):
    """An expert (author or reviewer) as {id, name, department, url}.

    The url is that of their public profile, or null if the profile is not live.
    """

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, expert):
        request = self.context.get("request")
        return {
            "id": expert.pk,
            "name": expert.display_name,
            "department": expert.department,
            "url": expert.get_full_url(request) if expert.live else None,
        }


class TagNamesField(serializers.Field):
    """Tags as a sorted list of names, from the tags the API prefetched for the whole listing."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, manager):
        return sorted((tag.name for tag in manager.all()), key=str.lower)


class TagNameField(serializers.Field):
    """A topic's tag as its name."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, tag):
        return tag.name
