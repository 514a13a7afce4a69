from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Health content"

    def ready(self):
        # Imported once the apps are loaded (Django's pattern for connecting signals).
        from django.db.models.signals import post_save, pre_save
        from wagtail.models import Revision
        from wagtail.signals import page_published, published

        from discsite.core.models import SafetyNetText

        from .integrity import refuse_rewriting_protected_revisions
        from .models import HEALTH_PAGE_MODELS, TopicPage
        from .notifications import connect_notifications
        from .review import review_pages_after_safety_net_change, stamp_review_record
        from .workflow import carry_decisions_to_unchanged_revision

        for model in HEALTH_PAGE_MODELS:
            page_published.connect(
                stamp_review_record, sender=model, dispatch_uid=f"discsite_stamp_review_record_{model.__name__}"
            )
        page_published.connect(
            TopicPage.name_tag_as_title, sender=TopicPage, dispatch_uid="discsite_topic_names_its_tag"
        )
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
