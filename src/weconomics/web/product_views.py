"""Pages of the catalogue: finding products, a product's page, offering and publishing one.

Reads go through `catalogue.access` (what the viewer may see or manage) and the bookings
queries; writes through `catalogue.services` and `communities.publications`. The booking
form on a product's page belongs to the customer side (`web.booking_views`).
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weconomics.bookings import services as bookings
from weconomics.bookings.queries import bookable_dates, coming_dates, reviews_of
from weconomics.catalogue import services
from weconomics.catalogue.access import (
    ADMIN_ROLES,
    can_manage,
    managed_by,
    managed_product,
    product_for,
)
from weconomics.catalogue.access import (
    catalogue as catalogue_of,
)
from weconomics.catalogue.errors import CatalogueError, NotFound
from weconomics.catalogue.models import Occurrence, Product
from weconomics.communities import publications
from weconomics.communities.errors import CommunityError
from weconomics.communities.models import Community
from weconomics.contacts.queries import organisation_memberships_of
from weconomics.contacts.text import render_markdown
from weconomics.web.forms_products import (
    LANGUAGE_NAMES,
    CatalogueSearchForm,
    ProductForm,
    StatusForm,
)
from weconomics.web.publishing import chosen_targets, publish_choices, published_text

SECTION = {"nav_section": "products"}
PER_PAGE = 24
DATES_ON_PAGE = 20
SLOTS_ON_PAGE = 12
SLOT_DAYS = 21

# Where a new product goes next: what it needs before it can be published.
NEXT_STEP = {
    Product.Logistics.SCHEDULED: "product_dates",
    Product.Logistics.APPOINTMENT: "product_availability",
    Product.Logistics.RESOURCE: "product_units",
    Product.Logistics.ON_REQUEST: "product_publish",
}


# --- helpers -----------------------------------------------------------------------------

def page_number(request) -> int:
    try:
        return min(max(1, int(request.GET.get("page", "1"))), 10_000)
    except ValueError:
        return 1


def problem(request, error, *, status: int | None = None):
    """A page that says why something was refused, with the error's status."""
    return render(request, "web/products/problem.html", {"message": str(error), **SECTION},
                  status=status or getattr(error, "status", 400))


def managed(request, product_id) -> Product:
    """The product when the viewer manages it; 404 for everyone else."""
    try:
        return managed_product(request.user, product_id)
    except NotFound as error:
        raise Http404(str(error)) from None


def manage_context(product: Product, tab: str) -> dict:
    return {"product": product, "tab": tab, **SECTION}


def _product_type() -> ContentType:
    return ContentType.objects.get_for_model(Product)


def offers_of(account, limit: int = 8) -> list[Product]:
    """The products an account offers, themselves or for an organisation (start page)."""
    if account is None or not account.is_authenticated:
        return []
    return list(Product.objects.filter(managed_by(account))
                .order_by("-updated_at", "-pk")[:limit])


# --- the catalogue -----------------------------------------------------------------------

def _filter_communities(viewer) -> list[Community]:
    """The communities in which the viewer can see products: the community filter's choices."""
    shown = publications.visible_publications(viewer).filter(content_type=_product_type())
    return list(Community.objects.filter(pk__in=shown.values("community_id"))
                .only("slug", "name").order_by("name")[:200])


def catalogue(request):
    viewer = request.user
    form = CatalogueSearchForm(request.GET or None, communities=_filter_communities(viewer))
    criteria = form.criteria()
    page = page_number(request)
    next_date = (Occurrence.objects.filter(coming_dates(), product=OuterRef("pk"),
                                           status=Occurrence.Status.SCHEDULED)
                 .order_by("starts_at").values("starts_at")[:1])
    rows = list(catalogue_of(viewer, **criteria).annotate(next_date=Subquery(next_date))
                [(page - 1) * PER_PAGE:page * PER_PAGE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "products": rows[:PER_PAGE], "has_next": len(rows) > PER_PAGE,
               "has_previous": page > 1, "page": page, "query": query.urlencode(),
               "searching": bool(criteria), **SECTION}
    if request.htmx and request.headers.get("HX-Target") == "catalogue-results":
        return render(request, "web/products/_results.html", context)
    return render(request, "web/products/catalogue.html", context)


# --- a product's page --------------------------------------------------------------------

def _booking_partial(request, product: Product, manages: bool) -> dict:
    """The customer side's booking form, when it exists and this viewer may use it."""
    try:
        from weconomics.web.booking_views import booking_context
    except ImportError:
        return {"can_book": False}
    context = {"can_book": (product.status == Product.Status.PUBLISHED and not manages
                            and request.user.is_authenticated)}
    context.update(booking_context(request, product))
    return context


def _free_slots(product: Product) -> list[tuple]:
    today = timezone.localdate()
    days = min(product.window_days, SLOT_DAYS)
    slots: list[tuple] = []
    for offset in range(days + 1):
        slots.extend(bookings.free_slots(product, today + dt.timedelta(days=offset)))
        if len(slots) >= SLOTS_ON_PAGE:
            break
    return slots[:SLOTS_ON_PAGE]


def product(request, product_id):
    viewer = request.user
    try:
        found = product_for(viewer, product_id)
    except NotFound as error:
        raise Http404(str(error)) from None
    manages = can_manage(viewer, found)
    placements = (publications.publications_of(found)
                  .select_related("community", "domain__kind").order_by("community__name",
                                                                         "pk"))
    if not manages:
        placements = placements.filter(
            pk__in=publications.visible_publications(viewer).values("pk"))
    reviews, summary = reviews_of(found)
    dates, slots, units = [], [], []
    if found.logistics == Product.Logistics.SCHEDULED:
        dates = bookable_dates(found, for_account=viewer, limit=DATES_ON_PAGE)
    elif found.logistics == Product.Logistics.APPOINTMENT:
        slots = _free_slots(found)
    elif found.logistics == Product.Logistics.RESOURCE:
        units = list(found.units.filter(is_active=True))
    provider_person = getattr(found.provider, "person", None) if found.provider_id else None
    context = {
        "product": found, "manages": manages,
        "description_html": render_markdown(found.description),
        "skills": list(found.skills.all()), "language_name": LANGUAGE_NAMES.get(
            found.language, found.language),
        "provider_person": provider_person, "placements": list(placements),
        "reviews": list(reviews[:20]), "review_summary": summary,
        "dates": dates, "slots": slots, "units": units, **SECTION,
        **_booking_partial(request, found, manages),
    }
    return render(request, "web/products/product.html", context)


# --- offering a product ------------------------------------------------------------------

def _administered(account) -> list:
    return [m.organisation for m in organisation_memberships_of(account)
            if m.role in ADMIN_ROLES]


@login_required
def product_new(request):
    organisations = _administered(request.user)
    form = ProductForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.create_product(
                actor=request.user, request=request,
                organisation=form.cleaned_data.get("organisation") or None,
                **form.fields_for_service())
        except CatalogueError as error:
            form.add_error(None, str(error))
            status = error.status
        else:
            messages.success(request, _("Your product is saved as a draft. Set up how it is "
                                        "booked, then publish it."))
            return redirect(NEXT_STEP[made.logistics], product_id=made.pk)
    else:
        status = 422 if form.errors else 200
    return render(request, "web/products/form.html", {"form": form, **SECTION},
                  status=status)


def product_edit(request, product_id):
    found = managed(request, product_id)
    form = ProductForm(request.POST or None, product=found,
                       initial=ProductForm.initial_for(found))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_product(actor=request.user, product_id=found.pk,
                                        request=request, **form.fields_for_service())
            except CatalogueError as error:
                form.add_error(None, str(error))
                status = error.status
            else:
                messages.success(request, _("Your changes are saved; every channel shows "
                                            "them."))
                return redirect("product_edit", product_id=found.pk)
        else:
            status = 422
    return render(request, "web/products/form.html",
                  {"form": form, **manage_context(found, "edit")}, status=status)


# --- status and publishing ---------------------------------------------------------------

def _publish_context(request, found: Product, *, error: str = "", chosen=()) -> dict:
    return {**publish_choices(request.user, found, chosen=chosen), "error": error,
            **manage_context(found, "publish")}


def product_publish(request, product_id):
    found = managed(request, product_id)
    if request.method != "POST":
        return render(request, "web/products/publish.html", _publish_context(request, found))
    chosen = request.POST.getlist("target")
    try:
        made = publications.publish(actor=request.user, content=found,
                                    targets=chosen_targets(chosen),
                                    allies_may_see=request.POST.get("allies_may_see") == "on",
                                    request=request)
    except CommunityError as error:
        return render(request, "web/products/publish.html",
                      _publish_context(request, found, error=str(error), chosen=set(chosen)),
                      status=error.status)
    text = published_text(made)
    if found.status != Product.Status.PUBLISHED:
        text += " " + _("Channels show it once its status is published.")
    messages.success(request, text)
    return redirect("product_publish", product_id=found.pk)


@require_POST
def product_unpublish(request, product_id, publication_id):
    found = managed(request, product_id)
    publication = publications.publications_of(found).filter(pk=publication_id).first()
    if publication is None:
        raise Http404(_("There is no such publication."))
    try:
        publications.unpublish(actor=request.user, publication_id=publication.pk,
                               request=request)
    except CommunityError as error:
        return problem(request, error)
    messages.success(request, _("Taken off %(community)s; it stays published elsewhere.")
                     % {"community": publication.community.name})
    return redirect("product_publish", product_id=found.pk)


@require_POST
def product_status(request, product_id):
    found = managed(request, product_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return render(request, "web/products/publish.html",
                      _publish_context(request, found, error=_("Choose draft, published or "
                                                               "archived.")), status=422)
    try:
        changed = services.set_status(actor=request.user, product_id=found.pk,
                                      status=form.cleaned_data["status"], request=request)
    except CatalogueError as error:
        return render(request, "web/products/publish.html",
                      _publish_context(request, found, error=str(error)), status=error.status)
    messages.success(request, {
        Product.Status.PUBLISHED: _("The product is published."),
        Product.Status.ARCHIVED: _("The product is archived; nobody can book it now."),
        Product.Status.DRAFT: _("The product is back to draft; only you see it."),
    }[changed.status])
    next_url = request.POST.get("next", "")
    if next_url in (reverse("product", args=[found.pk]), reverse("product_edit",
                                                                 args=[found.pk])):
        return redirect(next_url)
    return redirect("product_publish", product_id=found.pk)
