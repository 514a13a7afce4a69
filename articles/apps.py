from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Health content"

    def ready(self):
        from wagtail.signals import page_published

        from .notifications import connect_notifications
        from .review import stamp_review_record

        page_published.connect(stamp_review_record, dispatch_uid="discsite_stamp_review_record")
        connect_notifications()
