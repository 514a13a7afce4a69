from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Health content"

    def ready(self):
        from django.db.models.signals import pre_save
        from wagtail.models import Revision
        from wagtail.signals import page_published

        from .integrity import refuse_rewriting_protected_revisions
        from .notifications import connect_notifications
        from .review import stamp_review_record

        page_published.connect(stamp_review_record, dispatch_uid="discsite_stamp_review_record")
        pre_save.connect(
            refuse_rewriting_protected_revisions, sender=Revision, dispatch_uid="discsite_protect_revisions"
        )
        connect_notifications()
