"""Sign-in throttling: how password attempts are limited, and how a limited one is answered.

The rules (WECONOMICS_SIGNIN_LIMITS; README, "Sign-in limits"):

- An address (an IPv4 address or an IPv6 /64) may fail ADDRESS sign-ins in its window,
  whatever the accounts; every attempt it makes while limited counts too, so an address
  that keeps guessing stays limited until it stops.
- An account may fail ACCOUNT sign-ins in its window from devices it was never signed in
  on. Then every password attempt for it from such a device is refused without checking
  the password, the right one too: otherwise the limit would not stop guessing.
- A device the account signed in on before (a signed cookie set at every sign-in) is
  counted on its own (DEVICE per window) and neither the address's nor the account's
  count applies to it: a stranger guessing cannot lock the owner out of their own devices.

Counts are sliding windows in the cache (Redis when configured). When they cannot be
counted (Redis away) every attempt is refused: a limit that is not counted is no limit.
"""

import contextlib
import hashlib
import math
import secrets
import time
from dataclasses import dataclass

from allauth.account.utils import filter_users_by_email
from allauth.core.internal.ratelimit import cache_lock, get_ip
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from weconomics.audit.services import record
from weconomics.cache import CacheUnavailable

# While the rate limits cannot be counted, a refused attempt may come back after this.
UNAVAILABLE_RETRY_AFTER = 60
# Another attempt on the same count holds its lock: ask this one to come back shortly.
BUSY_RETRY_AFTER = 5
# Cache keys start with this; the Redis cache refuses to count them in memory.
KEY_PREFIX = "signin:"

KNOWN_DEVICE_COOKIE = "wec_device"
KNOWN_DEVICE_SALT = "weconomics.identity.known-device"
KNOWN_DEVICE_MAX_AGE = 365 * 24 * 3600
# One device may be known to a few accounts (a shared computer at home).
KNOWN_DEVICE_ACCOUNTS = 5


def unavailable_message() -> str:
    return _("Sign-in and other account actions are temporarily limited. "
             "Please try again in a minute.")


def too_many_attempts(request, *, retry_after: int, message: str | None = None):
    """Answer 429 with the site's page, a clear message and Retry-After in seconds."""
    response = render(request, "429.html", {"message": message, "retry_after": retry_after},
                      status=429)
    response["Retry-After"] = str(max(1, int(retry_after)))
    return response


def handler429(request, exception=None):
    """allauth's answer when one of its own rate limits (ACCOUNT_RATE_LIMITS) is reached."""
    return too_many_attempts(request, retry_after=60)


class RateLimitUnavailableMiddleware:
    """Refuse, with a 429, an attempt whose rate limit cannot be counted (Redis away).

    Rate limits fail closed: guessing passwords while the counts are unavailable would be
    unlimited. Pages without a rate limit do not touch the counts and keep working.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, CacheUnavailable):
            return None
        return too_many_attempts(request, retry_after=UNAVAILABLE_RETRY_AFTER,
                                 message=unavailable_message())


# --- the counts ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Limit:
    amount: int
    seconds: int


def _limit(scope: str) -> Limit:
    amount, seconds = settings.WECONOMICS_SIGNIN_LIMITS[scope]
    return Limit(amount, seconds)


class Refused(Exception):
    def __init__(self, rule: str, retry_after: int):
        super().__init__(rule)
        self.rule = rule
        self.retry_after = max(1, retry_after)


@dataclass(frozen=True)
class Count:
    """One sliding window: the times of the last attempts it counts, in the cache."""

    scope: str
    key: str
    limit: Limit

    @classmethod
    def of(cls, scope: str, identity: str) -> "Count":
        digest = hashlib.sha256(identity.encode()).hexdigest()
        return cls(scope, f"{KEY_PREFIX}{scope}:{digest}", _limit(scope))

    def take(self, *, count_refusal: bool) -> float:
        """Reserve one attempt and return its time, or raise Refused when the window is full.

        A refused attempt is still written down when count_refusal is set."""
        with cache_lock(self.key) as locked:
            if not locked:
                raise Refused("busy", BUSY_RETRY_AFTER)
            now = time.time()
            times = [t for t in cache.get(self.key, []) if t > now - self.limit.seconds]
            full = len(times) >= self.limit.amount
            if not full or count_refusal:
                times = [*times, now][-self.limit.amount:]
                cache.set(self.key, times, self.limit.seconds)
            if full:
                raise Refused(self.scope,
                              math.ceil(times[-self.limit.amount] + self.limit.seconds - now))
            return now

    def give_back(self, taken: float) -> None:
        """Forget a reserved attempt (it succeeded); skipped when the lock is busy."""
        with cache_lock(self.key) as locked:
            if locked:
                times = [t for t in cache.get(self.key, []) if t != taken]
                cache.set(self.key, times, self.limit.seconds)


@dataclass
class Reservation:
    """The attempts a password check has taken; given back when the password was right.

    allauth's adapter calls rollback() after a successful check."""

    taken: list[tuple[Count, float]]

    def rollback(self) -> None:
        for count, taken in self.taken:
            count.give_back(taken)


def forget_failures(login: str) -> None:
    """Clear an account's count of failed sign-ins (its password was just reset)."""
    count = Count.of("account", (login or "").strip().lower())
    with contextlib.suppress(CacheUnavailable), cache_lock(count.key) as locked:
        if locked:
            cache.delete(count.key)


# --- known devices ------------------------------------------------------------------------

def _known_entries(request) -> list[list]:
    raw = request.COOKIES.get(KNOWN_DEVICE_COOKIE)
    if not raw:
        return []
    try:
        entries = signing.loads(raw, salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_MAX_AGE)
    except signing.BadSignature:
        return []
    return [e for e in entries if isinstance(e, list) and len(e) == 2][:KNOWN_DEVICE_ACCOUNTS]


def accounts_for_login(login: str) -> list:
    """Return the accounts an address typed at sign-in belongs to (none for a stranger's)."""
    return filter_users_by_email(login.strip(), prefer_verified=True) if login else []


def known_device(request, login: str) -> str | None:
    """Return this browser's device id when the account signing in was used on it before."""
    entries = _known_entries(request)
    if not entries:
        return None
    pks = {account.pk for account in accounts_for_login(login)}
    return next((device for pk, device in entries if pk in pks), None)


def remember_device(request, response, account) -> None:
    """Mark this browser as one the account signed in on (or proved its mailbox on)."""
    entries = _known_entries(request)
    device = next((d for pk, d in entries if pk == account.pk), None) or secrets.token_urlsafe(16)
    entries = [[account.pk, device], *[e for e in entries if e[0] != account.pk]]
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        signing.dumps(entries[:KNOWN_DEVICE_ACCOUNTS], salt=KNOWN_DEVICE_SALT, compress=True),
        max_age=KNOWN_DEVICE_MAX_AGE, path="/accounts/", httponly=True, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE)


# --- the checks before a sign-in form is read, and before a password is compared ---------

def before_sign_in_post(request):
    """Count a posted sign-in form; answer 429 when it is over the limit, else None.

    Every post costs a password hash, so posts are limited whether they succeed or not:
    per address, or, from a known device of the account, per device, so that a stranger
    behind the same address (an office, a mobile network) cannot hold the owner up."""
    login = (request.POST.get("login") or "").strip().lower()
    try:
        device = known_device(request, login)
        count = (Count.of("device_posts", f"{device}:{login}") if device is not None
                 else Count.of("posts", get_ip(request)))
        count.take(count_refusal=False)
    except Refused as refused:
        return too_many_attempts(request, retry_after=refused.retry_after,
                                 message=limited_message(refused.retry_after))
    except CacheUnavailable:
        return too_many_attempts(request, retry_after=UNAVAILABLE_RETRY_AFTER,
                                 message=unavailable_message())
    return None


def limited_message(retry_after: int) -> str:
    minutes = max(1, math.ceil(retry_after / 60))
    return ngettext("Too many failed sign-in attempts. Try again in %(minutes)d minute, or "
                    "sign in on a device you have signed in on before.",
                    "Too many failed sign-in attempts. Try again in %(minutes)d minutes, or "
                    "sign in on a device you have signed in on before.", minutes) % {
        "minutes": minutes}


def before_password_check(request, login: str) -> Reservation:
    """Take this attempt from the counts that apply, or refuse it with a ValidationError.

    A refusal sets request.signin_retry_after (the sign-in view answers 429) and writes an
    audit record.
    """
    login = (login or "").strip().lower()
    taken: list[tuple[Count, float]] = []
    try:
        device = known_device(request, login)
        if device is not None:
            count = Count.of("device", f"{device}:{login}")
            taken.append((count, count.take(count_refusal=False)))
        else:
            address = Count.of("address", get_ip(request))
            taken.append((address, address.take(count_refusal=True)))
            account = Count.of("account", login)
            taken.append((account, account.take(count_refusal=False)))
    except Refused as refused:
        raise _refuse(request, login, refused.rule, refused.retry_after) from None
    except CacheUnavailable:
        raise _refuse(request, login, "unavailable", UNAVAILABLE_RETRY_AFTER) from None
    return Reservation(taken)


def _refuse(request, login: str, rule: str, retry_after: int) -> ValidationError:
    request.signin_retry_after = retry_after
    accounts = accounts_for_login(login)
    record("identity.sign_in_limited", subject=accounts[0] if len(accounts) == 1 else None,
           request=request, data={"rule": rule, "retry_after": retry_after,
                                  "known_account": bool(accounts)})
    if rule == "unavailable":
        return ValidationError(unavailable_message(), code="too_many_login_attempts")
    return ValidationError(limited_message(retry_after), code="too_many_login_attempts")
