"""Real parallel connections: saves with the same base, and creations of one new page at
once, never lose text: exactly one is saved, every other one gets an edit conflict."""

import threading

import pytest
from django.db import close_old_connections

from weconomics.communities import services as communities
from weconomics.communities.models import Membership
from weconomics.conftest import make_account
from weconomics.wiki import services
from weconomics.wiki.errors import EditConflict
from weconomics.wiki.models import Page, Revision

EDITORS = 5


def _setup():
    steward = make_account("stella@example.org", "Stella")
    community = communities.create_community(
        actor=steward, name="Club", slug="club", purpose="p", audience="a",
        kind="professional_network", visibility="public", join_policy="open", domains=["wiki"])
    editors = [make_account(f"e{n}@example.org", f"Editor {n}") for n in range(EDITORS)]
    Membership.objects.bulk_create([Membership(community=community, account=e)
                                    for e in editors])
    return community, editors


def _at_once(editors, save):
    barrier = threading.Barrier(len(editors))
    saved, conflicts, other = [], [], []

    def run(editor, number):
        try:
            barrier.wait()
            saved.append(save(editor, number))
        except EditConflict as error:
            conflicts.append(error)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            other.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(e, n)) for n, e in enumerate(editors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert other == []
    return saved, conflicts


@pytest.mark.django_db(transaction=True)
def test_saves_with_the_same_base_at_once_keep_one_and_refuse_the_others():
    community, editors = _setup()
    first = services.save_page(actor=editors[0], community=community, title="Plan",
                               text="start\n")
    saved, conflicts = _at_once(editors, lambda editor, number: services.save_page(
        actor=editor, community=community, title="Plan", text=f"start\nline {number}\n",
        base_revision_id=first.pk))
    assert len(saved) == 1 and len(conflicts) == EDITORS - 1
    page = Page.objects.get(title="Plan")
    assert page.revisions.count() == 2 and page.latest_id == saved[0].pk
    assert all(c.latest.pk == saved[0].pk for c in conflicts)


@pytest.mark.django_db(transaction=True)
def test_one_new_page_created_by_many_at_once_is_made_once():
    community, editors = _setup()
    saved, conflicts = _at_once(editors, lambda editor, number: services.save_page(
        actor=editor, community=community, title="Fresh", text=f"text {number}"))
    assert len(saved) == 1 and len(conflicts) == EDITORS - 1
    assert Page.objects.filter(title="Fresh").count() == 1
    assert Revision.objects.count() == 1
