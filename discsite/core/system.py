"""The site's own account: who did what no person did.

The seed publishing the source material, a review the system starts (source material's first review,
a review falling due, the safety-net texts changing): Wagtail records a user for each revision,
publication and workflow, and shows that user to clinicians ("Task submitted by" on the dashboard,
the page history). With no user, those places are blank and read as something missing. This account
fills them with "System". It never signs in: it is inactive and has no usable password.
"""

from django.contrib.auth import get_user_model

# Not a name Django's username validator accepts, so no person's account can be made with it (or
# renamed to it) in the admin, and the lookup below can only find the account made here.
SYSTEM_USERNAME = "(system)"
SYSTEM_DISPLAY_NAME = "System"


def system_user():
    """The site's own account, made the first time it is needed (one query after that)."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": SYSTEM_DISPLAY_NAME, "is_active": False, "is_staff": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
