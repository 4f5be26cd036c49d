"""Demo products of every kind and every way of booking, across the demo communities.

Made through the catalogue services (so every product passes the same checks as one made
in the site) and published through `communities.publications`. Idempotent: a product is
known by its title and provider; its dates, hours, units and publications are added only
where they are missing, so running the demo again duplicates nothing.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from weconomics.catalogue import services
from weconomics.catalogue.models import Product
from weconomics.communities import publications

WORKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4}

# key: (provider, organisation slug, fields, [(community, domain)], status)
PRODUCTS = {
    "coaching": ("anna@example.org", None, {
        "kind": "coaching", "logistics": "appointment", "title": "Loopbaancoaching",
        "summary": "Een uur coaching over je loopbaan: waar sta je en waar wil je heen?",
        "description": "Samen kijken we naar je werk, je talenten en je ambities. Je gaat "
                       "naar huis met een concrete volgende stap.\n\nEerste gesprek online "
                       "of in Utrecht.",
        "tags": ["loopbaan", "coaching"], "skills": ["Loopbaancoaching"],
        "delivery": "both", "venue": "Oudegracht 120, Utrecht",
        "online_url": "https://meet.example.org/anna",
        "cancellation_policy": "Kosteloos verzetten of annuleren tot 24 uur van tevoren.",
        "cancel_hours_before": 24, "price_cents": 9500, "vat_rate": "21",
        "slot_minutes": 60, "buffer_minutes": 15, "min_notice_hours": 24,
        "window_days": 60, "questions": ["Waar wil je het over hebben?"]},
        [("coaches", "coaching"), ("data-leren", "coaching")], "published"),
    "teamcoaching": ("anna@example.org", "samen-werkt", {
        "kind": "coaching", "logistics": "on_request", "title": "Teamcoachingtraject",
        "summary": "Een traject op maat voor teams die beter willen samenwerken.",
        "description": "Na een intake doen we een voorstel met data en prijs.",
        "tags": ["team", "samenwerking"], "skills": ["Teamcoaching"],
        "delivery": "venue", "price_cents": 0, "vat_rate": "21"},
        [("coaches", "coaching")], "published"),
    "feedback": ("bram@example.org", None, {
        "kind": "training", "logistics": "scheduled",
        "title": "Training Feedback geven en ontvangen",
        "summary": "Vier avonden oefenen met feedback, met een acteur.",
        "description": "Je oefent met echte situaties uit je werk. Elke avond heeft een "
                       "eigen thema: geven, ontvangen, vragen en doorvragen.",
        "tags": ["feedback", "communicatie"], "skills": ["Feedback", "Communicatie"],
        "delivery": "venue", "venue": "Buurthuis De Pijp, Utrecht",
        "prerequisites": "Geen; wel een eigen casus meenemen.",
        "cancellation_policy": "Kosteloos annuleren tot 48 uur voor de start.",
        "cancel_hours_before": 48, "price_cents": 29500, "vat_rate": "21",
        "max_quantity": 2, "questions": ["Wat wil je leren over feedback?"]},
        [("coaches", "workshop")], "published"),
    "intervisie": ("bram@example.org", None, {
        "kind": "workshop", "logistics": "scheduled", "title": "Workshop Intervisie leiden",
        "summary": "Een middag leren hoe je een intervisiegroep begeleidt.",
        "description": "Gaat door vanaf vijf deelnemers; Bram bevestigt elke aanmelding.",
        "tags": ["intervisie"], "delivery": "venue", "venue": "Utrecht",
        "requires_approval": True, "price_cents": 4500, "vat_rate": "21"},
        [("coaches", "workshop")], "published"),
    "conflict": ("bram@example.org", None, {
        "kind": "training", "logistics": "scheduled", "title": "Training Conflicthantering",
        "summary": "In voorbereiding.", "price_cents": 24500, "vat_rate": "21"},
        [], "draft"),
    "coachkamer": ("bram@example.org", None, {
        "kind": "accommodation", "logistics": "resource", "title": "Coachkamer Utrecht",
        "summary": "Een rustige kamer voor coachgesprekken, per dag te huur.",
        "delivery": "venue", "venue": "Oudegracht 120, Utrecht",
        "cancel_hours_before": 72, "price_cents": 2500, "vat_rate": "21"},
        [("coaches", "coaching")], "published"),
    "python": ("chidi@example.org", "leerhuis", {
        "kind": "course", "logistics": "scheduled",
        "title": "Cursus Data-analyse met Python",
        "summary": "Zes weken leren werken met pandas, van spreadsheet tot grafiek.",
        "description": "Voor informatiewerkers zonder programmeerervaring. Kleine groepen: "
                       "drie deelnemers per editie.",
        "tags": ["python", "data"], "skills": ["Python", "Data-analyse"],
        "language": "nl", "delivery": "online",
        "online_url": "https://leerhuis.example.org/python",
        "price_cents": 45000, "vat_rate": "0"},
        [("data-leren", "training")], "published"),
    "assessment": ("chidi@example.org", "leerhuis", {
        "kind": "assessment", "logistics": "scheduled",
        "title": "Assessment datavaardigheden",
        "summary": "Toon aan wat je kunt met data; het resultaat komt in je e-portfolio.",
        "tags": ["assessment", "data"], "skills": ["Data-analyse"],
        "delivery": "venue", "venue": "Leerhuis, Rotterdam",
        "price_cents": 17500, "vat_rate": "21"},
        [("data-leren", "assessment")], "published"),
    "eportfolio": ("grace@example.org", None, {
        "kind": "eportfolio_review", "logistics": "on_request",
        "title": "E-portfolio review", "language": "en",
        "summary": "Feedback on your e-portfolio before an assessment or application.",
        "description": "Send me a link; I propose a date and a price within a week.",
        "tags": ["e-portfolio"], "skills": ["Assessments"], "delivery": "online",
        "price_cents": 0, "vat_rate": "21"},
        [("data-leren", "assessment")], "published"),
    "hr": ("dewi@example.org", None, {
        "kind": "advice", "logistics": "appointment", "title": "HR-advies op maat",
        "summary": "Een uur advies over HR in gedeelde diensten.",
        "tags": ["hr"], "skills": ["HR-advies"], "delivery": "online",
        "online_url": "https://meet.example.org/dewi", "requires_approval": True,
        "price_cents": 12000, "vat_rate": "21", "slot_minutes": 60,
        "min_notice_hours": 48},
        [("ssc-zorg", "advice")], "published"),
    "interim": ("eva@example.org", None, {
        "kind": "interim", "logistics": "on_request",
        "title": "Interim projectleider sociaal domein",
        "summary": "Projectleiding voor drie tot zes maanden, twee tot vier dagen per week.",
        "tags": ["interim", "projectleiding"], "skills": ["Projectleiding"],
        "delivery": "venue", "price_cents": 0, "vat_rate": "21"},
        [("coaches", "recruitment")], "published"),
    "zalen": ("eva@example.org", None, {
        "kind": "accommodation", "logistics": "resource",
        "title": "Vergaderruimtes Buurthuis Oost",
        "summary": "Twee zalen en een stiltewerkplek, per dag te huur voor buren.",
        "delivery": "venue", "venue": "Buurthuis Oost, Amsterdam",
        "price_cents": 3500, "vat_rate": "21"},
        [("buurt-oost", "accommodation")], "published"),
    "klushulp": ("farid@example.org", None, {
        "kind": "other", "logistics": "on_request", "title": "Klushulp in huis",
        "summary": "Hulp bij kleine klussen: lampen, kastjes, een wifi-versterker.",
        "delivery": "venue", "price_cents": 0, "vat_rate": "0"},
        [("buurt-oost", "advice")], "published"),
}

AVAILABILITY = {
    "coaching": [("mon", "09:00", "17:00"), ("wed", "09:00", "17:00"), ("fri", "09:00", "13:00")],
    "hr": [("tue", "09:00", "12:00"), ("thu", "09:00", "12:00")],
}
UNITS = {
    "coachkamer": ["Kamer 1", "Kamer 2"],
    "zalen": ["Grote zaal", "Kleine zaal", "Stiltewerkplek"],
}


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def next_weekday(weekday: int, hour: int, *, at_least_days: int, minute: int = 0):
    """The first local `weekday` at `hour` at least `at_least_days` from today."""
    day = timezone.localdate() + dt.timedelta(days=at_least_days)
    day += dt.timedelta(days=(weekday - day.weekday()) % 7)
    return dt.datetime.combine(day, dt.time(hour, minute), zone())


def _product(accounts, key) -> Product:
    email, organisation, fields, targets, status = PRODUCTS[key]
    provider = accounts[email]
    product = Product.objects.filter(provider=provider, title=fields["title"]).first()
    if product is None:
        product = services.create_product(actor=provider, organisation=organisation,
                                          **fields)
    _logistics(provider, product, key)
    for community, domain in targets:
        if not publications.publications_of(product).filter(
                community__slug=community, domain__kind__slug=domain).exists():
            publications.publish(actor=provider, content=product,
                                 targets=[(community, domain)])
    if product.status != status:
        product = services.set_status(actor=provider, product_id=product.pk, status=status)
    return product


def _logistics(provider, product: Product, key: str) -> None:
    if key in AVAILABILITY and not product.availability.exists():
        services.set_availability(actor=provider, product_id=product.pk, rules=[
            {"weekday": WORKDAYS[day], "start": start, "end": end}
            for day, start, end in AVAILABILITY[key]])
    for name in UNITS.get(key, []):
        if not product.units.filter(name=name).exists():
            services.add_unit(actor=provider, product_id=product.pk, name=name)
    if product.occurrences.filter(starts_at__gt=timezone.now()).exists():
        return  # made before; once every date has passed, a later run adds new ones
    add = services.add_occurrences
    if key == "feedback":
        start = next_weekday(WORKDAYS["tue"], 19, at_least_days=10)
        add(actor=provider, product_id=product.pk, starts_at=start,
            ends_at=start + dt.timedelta(hours=2, minutes=30), capacity=12,
            repeat="weekly", count=4)
    elif key == "intervisie":
        start = next_weekday(WORKDAYS["thu"], 13, at_least_days=21)
        add(actor=provider, product_id=product.pk, starts_at=start,
            ends_at=start + dt.timedelta(hours=4), capacity=10, min_participants=5,
            min_deadline=start - dt.timedelta(days=7))
    elif key == "python":
        for days, capacity in ((14, 3), (56, 3)):
            start = next_weekday(WORKDAYS["mon"], 19, at_least_days=days)
            add(actor=provider, product_id=product.pk, starts_at=start,
                ends_at=start + dt.timedelta(hours=2), capacity=capacity)
    elif key in ("assessment", "conflict"):
        start = next_weekday(WORKDAYS["fri"], 10, at_least_days=30)
        add(actor=provider, product_id=product.pk, starts_at=start,
            ends_at=start + dt.timedelta(hours=3), capacity=8)


def populate(accounts) -> dict[str, Product]:
    """Create (or find) the demo products and return them by key."""
    return {key: _product(accounts, key) for key in PRODUCTS}
