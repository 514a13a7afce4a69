"""WSGI entry point; gunicorn serves `discsite.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "discsite.settings.production")

application = get_wsgi_application()

# The apps' modules are imported once get_wsgi_application has loaded the apps.
from articles.readability import load_pronunciations  # noqa: E402

load_pronunciations()  # each worker reads the pronouncing dictionary as it starts, not on an editor's save
