"""The editor's form for expert profiles."""

from wagtail.admin.forms import WagtailAdminPageForm

# What readers are told about a reviewer: "Medically reviewed by Dr Su Zhen Bo, MD, Orthopedics".
CREDIT_FIELDS = ("honorific", "title", "credentials", "department")


class ExpertPageForm(WagtailAdminPageForm):
    """A clinical reviewer's profile (one linked to a login) is how readers are told who checked a
    page, so only an administrator may change the name, honorific, credentials or department on it,
    or link a login at all (the `user` field is shown to administrators only: its panel needs the
    permission to change user accounts)."""

    def clean(self):
        cleaned_data = super().clean()
        linked = self.instance.user_id is not None or cleaned_data.get("user") is not None
        if linked and not getattr(self.for_user, "is_superuser", False):
            for name in CREDIT_FIELDS:
                if name in self.changed_data and name in self.fields:
                    self.add_error(
                        name,
                        "This is a clinical reviewer's profile, linked to their login: readers are told that "
                        "they reviewed pages under this name and these credentials, so only an administrator "
                        "can change them.",
                    )
        return cleaned_data
