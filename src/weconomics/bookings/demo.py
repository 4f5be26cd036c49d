"""Demo bookings in every state, with their events, a full date with a waiting list of two,
a date below its minimum, vouchers, a receipt and an unpaid invoice, reviews and portfolio
entries.

What lies ahead is booked through the services, exactly as in the site (events, audit,
notifications and mails included). What lies in the past (completed courses, a no-show)
cannot be booked any more, so it is written directly, with events dated when they
happened so that `services.derived_state` tells the same story as the state column.
Idempotent: each demo booking carries an idempotency key ("demo:...") and is made once.
"""

import datetime as dt

from django.utils import timezone

from weconomics.bookings import services
from weconomics.bookings.errors import BookingError
from weconomics.bookings.models import (
    Booking,
    BookingEvent,
    Invoice,
    PortfolioEntry,
    Review,
    State,
    Voucher,
    WaitingListEntry,
)
from weconomics.catalogue.demo import WORKDAYS, next_weekday, zone
from weconomics.catalogue.models import Occurrence, Product

ANNA, BRAM, CHIDI, DEWI = ("anna@example.org", "bram@example.org", "chidi@example.org",
                           "dewi@example.org")
EVA, FARID, GRACE = "eva@example.org", "farid@example.org", "grace@example.org"


class Demo:
    def __init__(self, accounts, products):
        self.accounts = accounts
        self.products = products
        self.now = timezone.now()
        self.skipped: list[str] = []

    def who(self, email):
        return self.accounts[email]

    def existing(self, key: str, email: str) -> Booking | None:
        return Booking.objects.filter(customer=self.who(email),
                                      idempotency_key=f"demo:{key}").first()

    def book(self, key: str, email: str, product: str, **fields) -> Booking | None:
        """Book through the service once; a date that has passed since is left out."""
        found = self.existing(key, email)
        if found is not None:
            return found
        try:
            return services.book(actor=self.who(email), product_id=self.products[product].pk,
                                 idempotency_key=f"demo:{key}", **fields)
        except BookingError as error:
            self.skipped.append(f"{key}: {error}")
            return None

    def future_dates(self, product: str) -> list[Occurrence]:
        return list(self.products[product].occurrences.filter(
            status=Occurrence.Status.SCHEDULED, starts_at__gt=self.now).order_by("starts_at"))


def populate(accounts, products: dict[str, Product]) -> dict:
    demo = Demo(accounts, products)
    _vouchers(demo)
    _scheduled(demo)
    _appointments_and_rooms(demo)
    _requests(demo)
    _past(demo)
    _commerce(demo)
    return {"bookings": Booking.objects.filter(idempotency_key__startswith="demo:").count(),
            "skipped": demo.skipped}


def _vouchers(demo: Demo) -> None:
    for email, code, kind, amount, uses, product in (
            (BRAM, "FEEDBACK10", "percent", 10, 20, "feedback"),
            (ANNA, "WELKOM25", "fixed", 2500, 50, "coaching")):
        if not Voucher.objects.filter(code=code).exists():
            services.create_voucher(actor=demo.who(email), code=code, kind=kind, amount=amount,
                                    max_uses=uses, product_id=demo.products[product].pk)
    # An expired one, to show how it is refused (the service accepts no past dates).
    Voucher.objects.get_or_create(code="ZOMER2025", defaults={
        "provider": demo.who(BRAM), "kind": Voucher.Kind.FIXED, "amount": 5000,
        "max_uses": 10, "valid_until": demo.now - dt.timedelta(days=30)})


def _scheduled(demo: Demo) -> None:
    # A full date of three places, and two people waiting for it.
    python = demo.future_dates("python")
    if python:
        full = python[0]
        for email in (GRACE, ANNA, BRAM):
            demo.book(f"python-{email.split('@')[0]}", email, "python",
                      occurrence_id=full.pk)
        for email in (EVA, FARID):
            waiting = WaitingListEntry.objects.filter(occurrence=full, customer=demo.who(email),
                                                      status__in=["waiting", "offered"])
            if waiting.exists() or services.places_left(full) > 0:
                continue
            try:
                services.book(actor=demo.who(email), product_id=full.product_id,
                              occurrence_id=full.pk, waitlist=True)
            except BookingError as error:
                demo.skipped.append(f"waiting list: {error}")
    # A weekly series: a booking for two with a voucher, one more, one cancelled.
    series = demo.future_dates("feedback")
    answers = {"Wat wil je leren over feedback?": "Feedback geven aan mijn leidinggevende."}
    if series:
        demo.book("feedback-anna", ANNA, "feedback", occurrence_id=series[0].pk, quantity=2,
                  voucher_code="feedback10", answers=answers,
                  message="Ik neem een collega mee.")
        demo.book("feedback-grace", GRACE, "feedback", occurrence_id=series[-1].pk,
                  answers={"Wat wil je leren over feedback?": "Giving feedback in Dutch."})
        cancelled = demo.book("feedback-farid", FARID, "feedback",
                              occurrence_id=series[0].pk, answers=answers)
        if cancelled is not None and cancelled.state == State.CONFIRMED:
            services.cancel(actor=demo.who(FARID), booking_id=cancelled.pk,
                            reason="Toch geen tijd die week.")
    # A date that waits for five participants and has three so far; Bram approves each.
    intervisie = demo.future_dates("intervisie")
    if intervisie:
        date = intervisie[0].pk
        for email, decision in ((EVA, True), (ANNA, True), (GRACE, False), (CHIDI, None)):
            booking = demo.book(f"intervisie-{email.split('@')[0]}", email, "intervisie",
                                occurrence_id=date)
            if booking is not None and booking.state == State.REQUESTED and (
                    decision is not None):
                services.decide(actor=demo.who(BRAM), booking_id=booking.pk, approve=decision,
                                reason="" if decision else "Deze workshop is voor Nederlands"
                                                           "talige groepen.")


def _appointments_and_rooms(demo: Demo) -> None:
    question = "Waar wil je het over hebben?"
    demo.book("coaching-eva", EVA, "coaching",
              slot_start=next_weekday(WORKDAYS["wed"], 10, at_least_days=3, minute=15),
              voucher_code="WELKOM25", answers={question: "Overstap naar zelfstandig werk."})
    demo.book("coaching-grace", GRACE, "coaching",
              slot_start=next_weekday(WORKDAYS["mon"], 14, at_least_days=3),
              answers={question: "Career change into learning design."})
    demo.book("hr-farid", FARID, "hr",
              slot_start=next_weekday(WORKDAYS["tue"], 10, at_least_days=4),
              message="Vraag over roosters in de thuiszorg.")
    today = timezone.localdate()
    for key, email, product, start, nights in (
            ("coachkamer-anna", ANNA, "coachkamer", 7, 1),
            ("coachkamer-grace", GRACE, "coachkamer", 7, 2),
            ("zalen-farid", FARID, "zalen", 10, 1),
            ("zalen-farid-2", FARID, "zalen", 20, 2)):
        demo.book(key, email, product, start_date=today + dt.timedelta(days=start),
                  end_date=today + dt.timedelta(days=start + nights))
    cancelled = demo.existing("zalen-farid-2", FARID)
    if cancelled is not None and cancelled.state == State.CONFIRMED:
        services.cancel(actor=demo.who(FARID), booking_id=cancelled.pk,
                        reason="Bijeenkomst verplaatst.")


def _requests(demo: Demo) -> None:
    # On request: a proposal waiting for its answer, one accepted, one declined, one open.
    interim = demo.book("interim-dewi", DEWI, "interim",
                        message="Wij zoeken per volgende maand een projectleider voor de "
                                "invoering van een nieuw zorgsysteem, drie dagen per week.")
    start = next_weekday(WORKDAYS["mon"], 9, at_least_days=30)
    if interim is not None and interim.state == State.REQUESTED:
        services.propose(actor=demo.who(EVA), booking_id=interim.pk, starts_at_value=start,
                         ends_at_value=start + dt.timedelta(days=89, hours=8),
                         price_cents=1_560_000,
                         message="Drie maanden, drie dagen per week, 65 uur per maand.")
    team = demo.book("teamcoaching-dewi", DEWI, "teamcoaching", organisation="ssc-midden",
                     message="Ons team van twaalf mensen wil beter samenwerken.")
    if team is not None and team.state == State.REQUESTED:
        services.propose(actor=demo.who(ANNA), booking_id=team.pk,
                         starts_at_value=start + dt.timedelta(days=7, hours=4),
                         ends_at_value=start + dt.timedelta(days=7, hours=8),
                         price_cents=180_000, message="Een intake en vier sessies.")
        team.refresh_from_db()
    if team is not None and team.state == State.PROPOSED:
        services.answer_proposal(actor=demo.who(DEWI), booking_id=team.pk, accept=True)
    demo.book("eportfolio-anna", ANNA, "eportfolio",
              message="Could you look at my portfolio before my NOBCO assessment?")
    klus = demo.book("klushulp-eva", EVA, "klushulp", message="Een lamp ophangen in de gang.")
    if klus is not None and klus.state == State.REQUESTED:
        services.decide(actor=demo.who(FARID), booking_id=klus.pk, approve=False,
                        reason="Die week ben ik weg; vraag het me gerust later nog eens.")


# --- the past -----------------------------------------------------------------------------

def _past_date(product: Product, starts_at: dt.datetime, length: dt.timedelta) -> Occurrence:
    found = product.occurrences.filter(starts_at__lt=timezone.now()).first()
    if found is not None:
        return found
    # Past dates cannot be added through the service; this is history for the demo.
    return Occurrence.objects.create(product=product, starts_at=starts_at,
                                     ends_at=starts_at + length,
                                     capacity=product.occurrences.first().capacity
                                     if product.occurrences.exists() else 10,
                                     venue=product.venue, online_url=product.online_url)


def _display_name(account) -> str:
    person = getattr(account, "person", None)
    return getattr(person, "display_name", "") or account.name


def _event(booking, from_state, to_state, *, actor, at, reason=""):
    # The events are append-only and `at` is set on insert; a raw insert keeps the date
    # on which this demo history happened.
    BookingEvent(booking=booking, actor=actor, at=at, from_state=from_state,
                 to_state=to_state, reason=reason).save_base(raw=True)


def _history(demo: Demo, key: str, email: str, product: Product, state: str, *,
             occurrence: Occurrence | None = None, starts_at=None, ends_at=None,
             answers=None) -> Booking:
    """A booking made twelve days before its start and completed (or missed) after it."""
    found = demo.existing(key, email)
    if found is not None:
        return found
    customer = demo.who(email)
    start = occurrence.starts_at if occurrence else starts_at
    end = occurrence.ends_at if occurrence else ends_at
    booking = Booking.objects.create(
        product=product, occurrence=occurrence, customer=customer,
        customer_name=_display_name(customer), customer_email=customer.email,
        provider=product.provider, starts_at=None if occurrence else starts_at,
        ends_at=None if occurrence else ends_at, answers=answers or {}, state=state,
        unit_price_cents=product.price_cents, vat_rate=product.vat_rate,
        total_cents=product.price_cents, idempotency_key=f"demo:{key}")
    booked_at = start - dt.timedelta(days=12)
    Booking.objects.filter(pk=booking.pk).update(created_at=booked_at)
    _event(booking, "", State.CONFIRMED, actor=customer, at=booked_at)
    _event(booking, State.CONFIRMED, state, actor=product.provider,
           at=end + dt.timedelta(hours=1))
    if state == State.COMPLETED and product.kind in services.PORTFOLIO_KINDS:
        PortfolioEntry.objects.get_or_create(booking=booking, defaults={
            "account": customer, "title": product.title, "kind": product.kind,
            "attested_by": product.provider_name,
            "completed_on": end.astimezone(zone()).date()})
    return booking


def _past(demo: Demo) -> None:
    assessment = demo.products["assessment"]
    date = _past_date(assessment, next_weekday(WORKDAYS["fri"], 10, at_least_days=-14),
                      dt.timedelta(hours=3))
    for email in (ANNA, GRACE):
        _history(demo, f"assessment-{email.split('@')[0]}", email, assessment,
                 State.COMPLETED, occurrence=date)
    feedback = demo.products["feedback"]
    date = _past_date(feedback, next_weekday(WORKDAYS["tue"], 19, at_least_days=-35),
                      dt.timedelta(hours=2, minutes=30))
    _history(demo, "feedback-past-grace", GRACE, feedback, State.COMPLETED, occurrence=date,
             answers={"Wat wil je leren over feedback?": "Staying calm when criticised."})
    _history(demo, "feedback-past-farid", FARID, feedback, State.NO_SHOW, occurrence=date,
             answers={"Wat wil je leren over feedback?": "Feedback in een ICT-team."})
    coaching = demo.products["coaching"]
    start = next_weekday(WORKDAYS["wed"], 10, at_least_days=-20, minute=15)
    _history(demo, "coaching-past-eva", EVA, coaching, State.COMPLETED, starts_at=start,
             ends_at=start + dt.timedelta(minutes=coaching.slot_minutes),
             answers={"Waar wil je het over hebben?": "Mijn volgende opdracht."})


def _commerce(demo: Demo) -> None:
    chidi = demo.who(CHIDI)
    paid = demo.existing("assessment-anna", ANNA)
    unpaid = demo.existing("assessment-grace", GRACE)
    if paid is not None and not Invoice.objects.filter(booking=paid,
                                                       paid_at__isnull=False).exists():
        services.mark_paid(actor=chidi, booking_id=paid.pk)
    if unpaid is not None:
        services.issue_invoice(actor=chidi, booking_id=unpaid.pk)
    for key, email, rating, text in (
            ("assessment-anna", ANNA, 5, "Heldere opdrachten en snelle, bruikbare feedback."),
            ("assessment-grace", GRACE, 4, "Good assessment; the case was close to my work."),
            ("feedback-past-grace", GRACE, 4, "Practical, with a great actor."),
            ("coaching-past-eva", EVA, 5, "Anna stelt precies de goede vragen.")):
        booking = demo.existing(key, email)
        if booking is not None and not Review.objects.filter(booking=booking).exists():
            services.review(actor=demo.who(email), booking_id=booking.pk, rating=rating,
                            text=text)
