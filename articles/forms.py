"""The editor's form for health pages."""

from django.conf import settings
from wagtail.admin.forms import WagtailAdminPageForm

from .guardrail import located_findings

SUBMITTING = ("action-submit", "action-restart-workflow")  # the edit view's buttons that send a page to review


class HealthPageForm(WagtailAdminPageForm):
    """Submitting a page whose text reads like promotion outside a sponsored section asks the
    editor to move it into a Sponsored block or to say why it is not promotion; the reason is
    saved with the revision, and the reviewing clinician sees it beside the checks."""

    def clean(self):
        cleaned_data = super().clean()
        submitting = any(self.data.get(action) for action in SUBMITTING)
        if not submitting or "body" not in cleaned_data or cleaned_data.get("promotion_reason", "").strip():
            return cleaned_data
        submitted = type(self.instance)(
            title=cleaned_data.get("title", ""), summary=cleaned_data.get("summary", ""), body=cleaned_data["body"]
        )
        findings = located_findings(submitted, site_hosts=settings.ALLOWED_HOSTS)
        if findings:
            self.add_error(
                "promotion_reason",
                "This page has wording that reads like promotion ("
                + "; ".join(finding.sentence.rstrip(".") for finding in findings)
                + "). Move it into a Sponsored block, or say here why it is not promotion, then submit again.",
            )
        return cleaned_data
