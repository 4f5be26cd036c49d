"""Background work of bookings: the mails (with the .ics attached), reminders, minimums and
waiting-list offers. Mails are enqueued only with the change they tell of (enqueue_on_commit)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from weconomics.bookings import ics
from weconomics.bookings.models import Booking, WaitingListEntry

SUBJECTS = {
    "created": "Your booking of %(product)s",
    "confirmed": "Confirmed: %(product)s",
    "declined": "Declined: %(product)s",
    "cancelled": "Cancelled: %(product)s",
    "proposed": "A proposal for %(product)s",
    "reminder": "Reminder: %(product)s",
    "paid": "Receipt for %(product)s",
    "minimum_at_risk": "%(product)s may not go ahead",
    "goes_ahead": "%(product)s goes ahead",
}


def _subject(kind: str, product: str) -> str:
    # The subjects are marked for translation here, read through gettext below.
    return _(SUBJECTS[kind]) % {"product": product}


_("Your booking of %(product)s")
_("Confirmed: %(product)s")
_("Declined: %(product)s")
_("Cancelled: %(product)s")
_("A proposal for %(product)s")
_("Reminder: %(product)s")
_("Receipt for %(product)s")
_("%(product)s may not go ahead")
_("%(product)s goes ahead")


def enqueue_on_commit(task_, **kwargs) -> None:
    """Enqueue a task for when the current transaction commits, never before.

    With the database task backend the task's row is written inside the transaction (a
    transactional outbox): the worker can see it exactly when the change commits, and
    nothing is left to write, or to lose, after the commit. Other backends (the immediate
    one of the tests, a broker) are handed the task after commit.
    """
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(task_.get_backend(), DatabaseBackend) and (
            transaction.get_connection().in_atomic_block):
        task_.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: task_.enqueue(**kwargs))


def _site() -> str:
    from weconomics.notifications.services import site_url

    return site_url()


@task()
def send_booking_mail(booking_id: int, kind: str) -> bool:
    """Tell the customer what happened to their booking, with the calendar file attached."""
    booking = (Booking.objects.select_related("product", "occurrence", "unit", "customer")
               .filter(pk=booking_id).first())
    if booking is None or booking.customer is None or kind not in SUBJECTS:
        return False
    language = booking.customer.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"booking": booking, "product": booking.product, "kind": kind,
                   "site": _site(), "link": f"{_site()}/bookings/{booking.pk}/"}
        body = render_to_string("bookings/email/booking.txt", context)
        message = EmailMessage(f"[{settings.SITE_NAME}] {_subject(kind, booking.product.title)}",
                               body, None, [booking.customer.email])
        calendar = ics.calendar([booking], name=settings.SITE_NAME)
        if "VEVENT" in calendar:
            message.attach("booking.ics", calendar, "text/calendar; charset=utf-8")
        message.send()
    if kind == "created" and booking.provider is not None:
        _tell_provider(booking)
    return True


def _tell_provider(booking: Booking) -> None:
    provider = booking.provider
    with translation.override(provider.language or settings.LANGUAGE_CODE):
        body = render_to_string("bookings/email/provider_new.txt", {
            "booking": booking, "product": booking.product,
            "link": f"{_site()}/provider/bookings/{booking.pk}/"})
        EmailMessage(f"[{settings.SITE_NAME}] "
                     + _("New booking: %(product)s") % {"product": booking.product.title},
                     body, None, [provider.email]).send()


@task()
def send_offer_mail(entry_id: int) -> bool:
    entry = (WaitingListEntry.objects.select_related("occurrence__product", "customer")
             .filter(pk=entry_id, status=WaitingListEntry.Status.OFFERED).first())
    if entry is None:
        return False
    with translation.override(entry.customer.language or settings.LANGUAGE_CODE):
        product = entry.occurrence.product
        body = render_to_string("bookings/email/place_offered.txt", {
            "entry": entry, "product": product,
            "link": f"{_site()}/products/{product.pk}/"})
        EmailMessage(f"[{settings.SITE_NAME}] "
                     + _("A place is free for you: %(product)s") % {"product": product.title},
                     body, None, [entry.customer.email]).send()
    return True


@task()
def send_attendee_message(booking_ids: list[int], subject: str, text: str,
                          sender_id: int | None = None) -> int:
    """A provider's message to the attendees of a date: one email each, replies to them."""
    from weconomics.identity.models import Account

    sender = Account.objects.filter(pk=sender_id).first() if sender_id else None
    sent = 0
    for booking in (Booking.objects.select_related("product", "occurrence", "customer")
                    .filter(pk__in=booking_ids, customer__isnull=False)):
        with translation.override(booking.customer.language or settings.LANGUAGE_CODE):
            body = render_to_string("bookings/email/attendee_message.txt", {
                "booking": booking, "product": booking.product, "text": text,
                "link": f"{_site()}/bookings/{booking.pk}/"})
            EmailMessage(f"[{settings.SITE_NAME}] {subject}", body, None,
                         [booking.customer.email],
                         reply_to=[sender.email] if sender is not None else None).send()
        sent += 1
    return sent


@task()
def run_booking_chores() -> dict:
    """Hourly: reminders, minimum-participant checks, expired waiting-list offers."""
    from weconomics.bookings import services

    return {"reminders": services.send_reminders(),
            "minimums": services.check_minimums(),
            "offers": services.expire_waiting_list_offers()}
