"""British English input formats that also read the admin's own date format back.

Django's en_GB formats deliberately leave out dates with month names ("23 Jan 2025"), but the
admin shows dates as WAGTAIL_DATE_FORMAT / WAGTAIL_DATETIME_FORMAT (settings/base.py), so without
these a form sent back unchanged would fail with "Enter a valid date". Day-first numeric dates
come first, as in Django's en_GB.
"""

from django.conf.locale.en_GB import formats as django_en_gb

DATE_INPUT_FORMATS = [*django_en_gb.DATE_INPUT_FORMATS, "%d %b %Y", "%d %B %Y"]
DATETIME_INPUT_FORMATS = [
    *django_en_gb.DATETIME_INPUT_FORMATS,
    "%d %b %Y %H:%M",
    "%d %b %Y %H:%M:%S",
    "%d %B %Y %H:%M",
]
