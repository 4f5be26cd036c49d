"""allauth strings whose Dutch we word differently, so the site uses one vocabulary.

allauth's Dutch says "aanmelden"/"afmelden" for signing in and out, where the rest of
the site says "inloggen"/"uitloggen" and keeps "aanmelden" for joining. Our catalogue
comes first in LOCALE_PATHS, so these entries override allauth's own translation;
listing them here keeps makemessages from dropping them.
"""

from django.utils.translation import gettext_noop

ALLAUTH_WORDING = [
    gettext_noop("Sign In"),
    gettext_noop("Sign Out"),
    gettext_noop("Are you sure you want to sign out?"),
    gettext_noop("Other sign-in options"),
    gettext_noop("Two-Factor Authentication"),
    gettext_noop("Sign-In Code"),
    gettext_noop("Enter Sign-In Code"),
    gettext_noop("Send me a sign-in code"),
    gettext_noop("Authenticator secret"),
    gettext_noop("Sign in with a passkey"),
]
