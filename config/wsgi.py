import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()

# Load every view (through the URLs) now, then set aside everything loaded so far, which
# lives as long as the process: Python's cycle collector no longer walks these objects
# on each full collection, which otherwise stalls a request now and then for as long as
# the page itself takes.
get_resolver().url_patterns  # noqa: B018
gc.collect()
gc.freeze()
