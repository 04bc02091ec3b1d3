"""Who is on a concern: the raiser, their line manager and the other practitioner, by object id."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.access import is_on_thread
from domain.model import Person
from tests.storage.factories import make_thread

RAISER = Person(name="Alex", user_id="alex-object-id")
MANAGER = Person(name="Priya", user_id="priya-object-id")
OTHER = Person(name="Sam", user_id="sam-object-id")


@pytest.mark.parametrize("user_id", ["alex-object-id", "priya-object-id", "sam-object-id"])
def test_the_people_a_concern_names_are_on_it(user_id: str) -> None:
    thread = replace(
        make_thread(), raised_by=RAISER, line_manager=MANAGER, other_practitioner=OTHER
    )

    assert is_on_thread(thread, user_id)


@pytest.mark.parametrize("user_id", [None, "", "someone-else", "Alex"])
def test_nobody_else_is_on_it_and_a_missing_id_never_matches(user_id: str | None) -> None:
    thread = replace(
        make_thread(), raised_by=RAISER, line_manager=Person(name="No id"), other_practitioner=None
    )

    assert not is_on_thread(thread, user_id)
