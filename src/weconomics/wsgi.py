import os

from django.core.wsgi import get_wsgi_application

from weconomics.web.supervision import guard_supervised_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weconomics.settings")
# Under `weconomics serve`, granian's worker processes end with it, even after a SIGKILL.
guard_supervised_process()
application = get_wsgi_application()
