"""What each viewer sees of one profile, decided by the one access helper."""

import pytest

from weconomics.conftest import WORLD_SEES
from weconomics.contacts import access, queries
from weconomics.contacts.errors import NotFound


@pytest.mark.parametrize("viewer", list(WORLD_SEES))
def test_each_viewer_sees_exactly_their_sections(world, viewer):
    seen = access.profile_for(getattr(world, viewer), world.handle)
    assert {s for s, shown in seen.visible.items() if shown} == WORLD_SEES[viewer]


@pytest.mark.parametrize("viewer, found", [
    ("owner", True), ("connection", True), ("fellow", True), ("stranger", True),
    ("blocked", False), ("anonymous", True)])
def test_the_directory_hides_the_owner_only_from_the_blocked(world, viewer, found):
    names = [p.display_name for p in queries.search_people(getattr(world, viewer), q="olivia")]
    assert (names == ["Olivia Owner"]) is found


@pytest.mark.parametrize("viewer, found", [
    ("owner", True), ("connection", True), ("fellow", True), ("stranger", False),
    ("anonymous", False)])
def test_a_skill_search_respects_the_skills_visibility(world, viewer, found):
    names = [p.display_name for p in queries.search_people(getattr(world, viewer), skill="python")]
    assert ("Olivia Owner" in names) is found


def test_a_profile_visible_to_connections_only_is_not_found_by_others(world):
    from weconomics.contacts import services

    services.update_profile(actor=world.owner, profile_visibility="connections")
    assert access.profile_for(world.connection, world.handle).can_see("skills")
    for viewer in (world.fellow, world.stranger, None):
        with pytest.raises(NotFound):
            access.profile_for(viewer, world.handle)
    # A section never shows wider than the card: "about" is public but the card is not.
    assert not [p for p in queries.search_people(None) if p.handle == world.handle]
