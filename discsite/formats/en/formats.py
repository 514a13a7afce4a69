"""English (an editor who picked plain "English" in the admin): read back the admin's date-time format too.

Django's en formats already read "23 Jan 2025"; see discsite/formats/en_GB for why this is needed.
"""

from django.conf.locale.en import formats as django_en

DATETIME_INPUT_FORMATS = [*django_en.DATETIME_INPUT_FORMATS, "%d %b %Y %H:%M", "%d %b %Y %H:%M:%S"]
