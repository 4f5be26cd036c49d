"""Articles: author once, publish to many community domains.

The article is its author's; each publication is one community's view of it. Reads go
through `communities.publications.article_for` and `own_article`; writes through the
publications services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weconomics.communities import publications as services
from weconomics.communities.errors import CommunityError, NotFound
from weconomics.contacts.text import render_markdown
from weconomics.web.forms_channel import ArticleForm
from weconomics.web.publishing import chosen_targets, publish_choices, published_text

SECTION = {"nav_section": "articles"}


def _own(request, article_id):
    try:
        return services.own_article(request.user, article_id)
    except NotFound as error:
        raise Http404(str(error)) from None


def _problem(request, error: CommunityError):
    return render(request, "web/articles/problem.html", {"message": str(error), **SECTION},
                  status=error.status)


@login_required
def articles(request):
    return render(request, "web/articles/list.html",
                  {"articles": services.articles_of(request.user), **SECTION})


@login_required
def article_new(request):
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.create_article(actor=request.user, request=request,
                                              **form.cleaned_data)
        except CommunityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your article is saved. Choose where to publish it."))
            return redirect("article_publish", article_id=article.pk)
    return render(request, "web/articles/form.html", {"form": form, **SECTION},
                  status=422 if form.errors else 200)


def article(request, article_id):
    try:
        found = services.article_for(request.user, article_id)
    except NotFound as error:
        raise Http404(str(error)) from None
    mine = request.user.is_authenticated and found.author_id == request.user.pk
    placements = services.publications_of(found).select_related("community", "domain__kind")
    if not mine:
        placements = placements.filter(pk__in=services.visible_publications(request.user)
                                       .values("pk"))
    return render(request, "web/articles/article.html", {
        "article": found, "body_html": render_markdown(found.body), "mine": mine,
        "placements": list(placements.order_by("community__name", "pk")), **SECTION})


@login_required
def article_edit(request, article_id):
    found = _own(request, article_id)
    form = ArticleForm(request.POST or None, initial={
        "title": found.title, "summary": found.summary, "body": found.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_article(actor=request.user, article_id=found.pk, request=request,
                                    **form.cleaned_data)
        except CommunityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your changes are saved; every channel shows them."))
            return redirect("article", article_id=found.pk)
    return render(request, "web/articles/form.html",
                  {"form": form, "article": found, **SECTION},
                  status=422 if form.errors else 200)


def _publish_context(request, found, *, error: str = "", chosen=(), allies: bool = True):
    return {"article": found, **publish_choices(request.user, found, chosen=chosen),
            "error": error, "allies": allies, **SECTION}


@login_required
def article_publish(request, article_id):
    found = _own(request, article_id)
    if request.method != "POST":
        return render(request, "web/articles/publish.html", _publish_context(request, found))
    chosen = request.POST.getlist("target")
    allies = request.POST.get("allies_may_see") == "on"
    try:
        made = services.publish(actor=request.user, content=found,
                                targets=chosen_targets(chosen),
                                allies_may_see=allies, request=request)
    except CommunityError as error:
        return render(request, "web/articles/publish.html",
                      _publish_context(request, found, error=str(error), chosen=set(chosen),
                                       allies=allies), status=error.status)
    messages.success(request, published_text(made))
    return redirect("article_publish", article_id=found.pk)


def _placement(found, publication_id):
    publication = services.publications_of(found).filter(pk=publication_id).first()
    if publication is None:
        raise Http404(_("There is no such publication."))
    return publication


@login_required
@require_POST
def article_unpublish(request, article_id, publication_id):
    found = _own(request, article_id)
    publication = _placement(found, publication_id)
    try:
        services.unpublish(actor=request.user, publication_id=publication.pk, request=request)
    except CommunityError as error:
        return _problem(request, error)
    messages.success(request, _("Taken off %(community)s; it stays published elsewhere.")
                     % {"community": publication.community.name})
    return redirect("article_publish", article_id=found.pk)


@login_required
@require_POST
def article_allies(request, article_id, publication_id):
    found = _own(request, article_id)
    publication = _placement(found, publication_id)
    try:
        services.set_allies_may_see(actor=request.user, publication_id=publication.pk,
                                    allowed=request.POST.get("allowed") == "1",
                                    request=request)
    except CommunityError as error:
        return _problem(request, error)
    messages.success(request, _("Saved who may see it."))
    return redirect("article_publish", article_id=found.pk)


@login_required
def article_delete(request, article_id):
    found = _own(request, article_id)
    if request.method == "POST":
        try:
            services.delete_article(actor=request.user, article_id=found.pk, request=request)
        except CommunityError as error:
            return _problem(request, error)
        messages.success(request, _("The article is deleted, and taken off every channel."))
        return redirect("articles")
    return render(request, "web/articles/delete.html", {"article": found, **SECTION})
