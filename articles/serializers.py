"""How the read-only API (/api/v2/) shows a health page's tags (discsite/api.py builds the endpoints)."""

from rest_framework import serializers


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
