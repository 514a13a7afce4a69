"""Editor panels for health content."""

from wagtail.admin.panels import Panel

from .readability import TARGET_GRADE


class HealthChecksPanel(Panel):
    """Reading level and the sponsored-content guardrail, as of the last save, beside the text they judge."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "articles/admin/health_checks_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            grade = page.reading_grade
            context.update(
                saved=page.pk is not None,
                grade=grade,
                smog=page.reading_smog,
                target=TARGET_GRADE,
                above_target=grade is not None and grade > TARGET_GRADE,
                flags=page.promotion_flags or [],
            )
            return context
