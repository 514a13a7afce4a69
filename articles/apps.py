from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Health content"

    def ready(self):
        from django.db.models.signals import post_save, pre_save
        from wagtail.models import Revision
        from wagtail.signals import page_published, published

        from discsite.models import SafetyNetText

        from .integrity import refuse_rewriting_protected_revisions
        from .notifications import connect_notifications
        from .review import (
            carry_decisions_to_unchanged_revision,
            review_pages_after_safety_net_change,
            stamp_review_record,
        )

        page_published.connect(stamp_review_record, dispatch_uid="discsite_stamp_review_record")
        published.connect(
            review_pages_after_safety_net_change, sender=SafetyNetText, dispatch_uid="discsite_safety_net_review"
        )
        pre_save.connect(
            refuse_rewriting_protected_revisions, sender=Revision, dispatch_uid="discsite_protect_revisions"
        )
        post_save.connect(
            carry_decisions_to_unchanged_revision, sender=Revision, dispatch_uid="discsite_carry_review_decisions"
        )
        connect_notifications()
