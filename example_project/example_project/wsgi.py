import os

from django.core.wsgi import get_wsgi_application

from django_amazonpay.wsgi import reject_unusable_charsets

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")
# a non-text charset would make Django fail before any view could answer (a 500)
application = reject_unusable_charsets(get_wsgi_application())
