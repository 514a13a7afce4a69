"""python manage.py create_demo_users: one login per role, for a developer's machine only."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.integrity import publishing_unreviewed_source_material
from articles.review import start_first_review_of_source_material
from discsite.core.system import system_user
from experts.models import ExpertPage

DEMO_PASSWORD = "changeme"  # noqa: S105 (documented demo password; refused outside dev settings)

# The demo clinician approves as this expert, so reviewed pages show "Medically reviewed by" them.
DEMO_CLINICIAN_EXPERT_SLUG = "su-zhen-bo"

# username -> (group, is_superuser)
DEMO_USERS = {
    "admin": (None, True),
    "editor": ("Editors", False),
    "clinician": ("Clinical reviewers", False),
    "moderator": ("Moderators", False),
}


class Command(BaseCommand):
    help = "Create the demo users admin, editor, clinician and moderator (password 'changeme'). Dev settings only."

    def handle(self, *args, **options):
        if not getattr(settings, "DISCSITE_ALLOW_DEMO_USERS", False):
            raise CommandError(
                "Demo users are only for development: these settings do not allow them "
                "(DISCSITE_ALLOW_DEMO_USERS is off, as it is in production)."
            )
        User = get_user_model()
        with transaction.atomic():
            for username, (group_name, is_superuser) in DEMO_USERS.items():
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={"email": f"{username}@example.com", "first_name": username.title()},
                )
                user.is_superuser = user.is_staff = is_superuser
                user.set_password(DEMO_PASSWORD)
                user.save()
                if group_name:
                    user.groups.set([Group.objects.get(name=group_name)])
                self.stdout.write(f"{'created' if created else 'updated'} {username} ({group_name or 'superuser'})")
            self.link_clinician(User.objects.get(username="clinician"))
        self.stdout.write(self.style.SUCCESS(f"Demo users ready; the password is '{DEMO_PASSWORD}'."))

    def link_clinician(self, clinician):
        """Clinical reviewers approve as their expert profile; link the demo clinician to one, if seeded."""
        current = ExpertPage.objects.filter(user=clinician).first()
        if current is not None:
            self.stdout.write(f"clinician approves as {current.display_name}")
            return
        expert = ExpertPage.objects.filter(slug=DEMO_CLINICIAN_EXPERT_SLUG).first()
        if expert is None:
            self.stdout.write("No expert profile to link the clinician to yet (run `manage.py seed` first).")
            return
        if expert.user_id not in (None, clinician.pk):
            self.stdout.write(f"{expert.display_name}'s profile is linked to another login; left as it is.")
            return
        expert.user = clinician
        # The system's own set-up, like the seed: the profile's content is unchanged, only its login.
        # Publishing ends the profile's first review (Wagtail cancels a workflow on publish): start it
        # again, of the same content, so that it stays in the clinicians' queue.
        in_first_review = expert.workflow_in_progress
        system = system_user()
        with publishing_unreviewed_source_material("create_demo_users: the demo clinician's login"):
            expert.save_revision(user=system, log_action=True).publish(user=system, skip_permission_checks=True)
        if in_first_review:
            start_first_review_of_source_material(ExpertPage.objects.get(pk=expert.pk), just_published=True)
        self.stdout.write(f"linked clinician to the expert profile of {expert.display_name}")
