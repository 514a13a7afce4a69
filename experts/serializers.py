"""How the read-only API (/api/v2/) shows an expert where a page names one."""

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
