"""WSGI entry point; gunicorn serves `discsite.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "discsite.settings.production")

application = get_wsgi_application()
