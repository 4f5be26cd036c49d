"""A real Chromium starts a community in three steps and welcomes a second steward.

Anna signs in (in Dutch, the default), finds "Start a community" on her start page, walks the
three steps (name and purpose, target group and joining, domains: the kind's template has
filled in the later steps, she changes a few), lands on the invite page and makes an
invitation link, shown once. Bram opens the link signed out, signs in from the invitation
and accepts; Anna makes him a steward on the members page. No request leaves the site, and
no console error or CSP violation shows up.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from weconomics.communities.models import Community, CommunityDomain, Membership
from weconomics.conftest import PASSWORD, make_account
from weconomics.web.tests.browser import fill_in_sign_in, heading, shot, sign_in_with_password

pytestmark = pytest.mark.browser

ANNA = ("anna@example.org", "Anna Aalbers")
BRAM = ("bram@example.org", "Bram Bakker")


@pytest.fixture
def people(transactional_db):
    # Made before the browser starts (see test_browser_network).
    return make_account(*ANNA), make_account(*BRAM)


def next_step(page: Page) -> None:
    page.locator("main form.form button[type=submit]").first.click()


def expect_step(page: Page, number: int) -> None:
    expect(page.locator("ol.wizard-steps li").nth(number - 1)).to_have_attribute(
        "aria-current", "step")


def test_a_member_starts_a_community_and_makes_an_invitee_a_steward(people, live_server,
                                                                    new_page, watch):
    anna_account, bram_account = people
    base = live_server.url

    # --- Anna starts a community in three steps --------------------------------------------
    anna = new_page()
    anna.goto(base + "/")
    sign_in_with_password(anna, ANNA[0], PASSWORD)
    expect(anna.locator("html")).to_have_attribute("lang", "nl")
    anna.locator("main a[href='/communities/new/']").first.click()
    expect_step(anna, 1)
    shot(anna, "communities-start-1")
    anna.locator("#id_name").fill("Leerkring Zorg")
    anna.locator("input[name=kind][value=learning_community]").check()
    anna.locator("#id_purpose").fill("Samen leren over goede zorg.")
    next_step(anna)

    expect(anna).to_have_url(re.compile(r"step=2$"))
    expect_step(anna, 2)
    # The template of a learning community filled in: public and open.
    expect(anna.locator("input[name=visibility][value=public]")).to_be_checked()
    expect(anna.locator("input[name=join_policy][value=open]")).to_be_checked()
    anna.locator("#id_audience").fill("Verpleegkundigen en verzorgenden")
    anna.locator("input[name=join_policy][value=invitation]").check()
    shot(anna, "communities-start-2")
    next_step(anna)

    expect(anna).to_have_url(re.compile(r"step=3$"))
    expect_step(anna, 3)
    expect(anna.locator("input[name=domains][value=training]")).to_be_checked()
    expect(anna.locator("main")).to_contain_text("/c/leerkring-zorg/")
    anna.locator("input[name=domains][value=assessment]").uncheck()
    anna.locator("input[name=domains][value=advice]").check()
    shot(anna, "communities-start-3")
    next_step(anna)

    # --- it lands on the invite page; Anna makes a link ---------------------------------
    expect(anna).to_have_url(base + "/c/leerkring-zorg/manage/invite/")
    community = Community.objects.get(slug="leerkring-zorg")
    assert community.join_policy == "invitation"
    assert set(CommunityDomain.objects.filter(community=community)
               .values_list("kind__slug", flat=True)) == {
        "training", "workshop", "coaching", "wiki", "advice"}
    link_form = anna.locator("form:has(input[name=kind][value=link])")
    link_form.locator("#id_max_uses").fill("3")
    link_form.locator("button[type=submit]").click()
    link_field = anna.locator("#new-invitation-link")
    expect(link_field).to_be_visible()
    link = link_field.input_value()
    assert link.startswith(base + "/c/invitations/")
    shot(anna, "communities-invite-link")
    anna.reload()
    expect(anna.locator("#new-invitation-link")).to_have_count(0)  # shown once only

    # --- Bram opens the link signed out, signs in and accepts -----------------------------
    bram = new_page()
    bram.goto(link)
    expect(heading(bram)).to_contain_text("Leerkring Zorg")
    shot(bram, "communities-invitation")
    bram.locator("main a[href^='/accounts/login/?next=']").click()
    fill_in_sign_in(bram, BRAM[0], PASSWORD)
    expect(bram).to_have_url(link)
    bram.locator("main form button[type=submit]").click()
    expect(bram).to_have_url(base + "/c/leerkring-zorg/")
    assert Membership.objects.get(community=community, account=bram_account).role == "member"

    # --- Anna makes Bram a steward ----------------------------------------------------------
    anna.locator(".manage-nav a[href='/c/leerkring-zorg/manage/members/']").click()
    row = anna.locator("table.member-table tr", has=anna.locator(
        f"select#role-{bram_account.pk}"))
    row.locator("select").select_option("steward")
    row.locator("button[type=submit]", has_text=re.compile(".")).first.click()
    expect(anna.locator(".messages .message.success")).to_be_visible()
    expect(anna.locator(f"select#role-{bram_account.pk}")).to_have_value("steward")
    shot(anna, "communities-members")
    assert Membership.objects.get(community=community, account=bram_account).role == "steward"
    assert Membership.objects.get(community=community, account=anna_account).role == "steward"
    watch.assert_clean()
