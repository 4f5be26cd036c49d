"""Error reports (the DEBUG page, mails to admins) that never show a password from a URL.

Django hides settings whose *name* looks secret (DATABASES' PASSWORD, SECRET_KEY), but
not the password inside a value: WECONOMICS_DATABASE_URL, DATABASE_URL, REDIS_URL, a
cache's LOCATION, the environment variables a server copies into request.META, or a
connection string in a traceback's local variables. This filter hides those too, keeping
the rest of the address (scheme, user, host, database) for debugging.
"""

import re

from django.views.debug import SafeExceptionReporterFilter

# scheme://user:password@host  (user may be empty: redis://:password@host)
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.\-]*://[^:/?#@\s]*:)[^@\s]*@", re.I)
# libpq and similar key=value strings: "host=db password=secret"
_KEYWORD_PASSWORD = re.compile(r"(?P<head>\b(?:password|passwd|pwd)\s*=\s*)('[^']*'|[^\s&;]+)",
                               re.I)
# Names of local variables that hold a secret themselves.
_SECRET_NAMES = re.compile(r"pass|secret|token|credential|dsn|conninfo", re.I)
_DEPTH = 4


class SafeReporterFilter(SafeExceptionReporterFilter):
    def redact(self, text: str) -> str:
        text = _URL_PASSWORD.sub(lambda m: m["head"] + self.cleansed_substitute + "@", text)
        return _KEYWORD_PASSWORD.sub(lambda m: m["head"] + self.cleansed_substitute, text)

    def cleanse_setting(self, key, value):
        # Settings, request.META (with the server's environment) and cookies come here;
        # Django recurses into dicts, lists and tuples through this method.
        cleansed = super().cleanse_setting(key, value)
        return self.redact(cleansed) if isinstance(cleansed, str) else cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self._cleanse_local(name, value)) for name, value in
                super().get_traceback_frame_variables(request, tb_frame)]

    def _cleanse_local(self, name, value, depth=0):
        if isinstance(name, str) and _SECRET_NAMES.search(name):
            return self.cleansed_substitute
        if isinstance(value, str):
            return self.redact(value)
        if depth >= _DEPTH or (isinstance(value, (dict, list, tuple)) and len(value) > 1000):
            return value
        # Plain containers only (a frame may hold cyclic or huge structures: limited depth).
        if type(value) is dict:
            return {k: self._cleanse_local(k, v, depth + 1) for k, v in value.items()}
        if type(value) in (list, tuple):
            return type(value)(self._cleanse_local("", v, depth + 1) for v in value)
        return value
