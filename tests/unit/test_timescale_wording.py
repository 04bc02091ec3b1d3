"""The bot's own sentences about timescales say the configured number of working days; the
seeds' sentences, quoted, keep the seeds' "two working days"."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from cards.concern import thread_card
from cards.forms import FormView
from cards.intake import route_card
from cards.render import card_payload
from cards.welcome import welcome_card
from domain.model import EscalationThread, LscpArea, Person, Stage, ThreadState
from domain.policy import ProcedurePolicy, working_days_in_words
from domain.procedure import STAGE_GUIDES
from settings import Settings
from tests.support.card_schema import card_texts

NO_ENV_FILE: dict[str, Any] = {"_env_file": None}


def policy_with(monkeypatch: pytest.MonkeyPatch, **environment: str) -> ProcedurePolicy:
    """The policy the app would build from this environment (local mode, nothing else set)."""
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppType", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name in ("STAGE_WORKING_DAYS", "URGENT_WORKING_DAYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_LOCAL_MODE", "true")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return Settings(**NO_ENV_FILE).procedure_policy()


def own_wording(policy: ProcedurePolicy) -> str:
    """The text of the cards whose own sentences state the stage timescale."""
    days = policy.working_days_per_stage
    cards = (
        route_card(FormView(form_id="f"), working_days_per_stage=days),
        welcome_card(working_days_per_stage=days),
    )
    return "\n".join(card_texts(card_payload(card)) for card in cards)


def test_with_three_working_days_configured_the_bot_says_three(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy = policy_with(monkeypatch, STAGE_WORKING_DAYS="3")
    text = own_wording(policy)
    assert "each to be completed within three working days" in text
    assert "(three working days, unless" in text
    assert "two working days" not in text


def test_by_default_the_bot_says_the_published_two_working_days(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy = policy_with(monkeypatch)
    text = own_wording(policy)
    assert "each to be completed within two working days" in text
    assert "(two working days, unless" in text
    assert own_wording(policy) == "\n".join(
        card_texts(card_payload(card))
        for card in (route_card(FormView(form_id="f")), welcome_card())
    )


def test_the_seeds_quoted_timescale_keeps_the_seeds_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy = policy_with(monkeypatch, STAGE_WORKING_DAYS="3")
    thread = EscalationThread(
        reference="ESC-2026-0007",
        state=ThreadState.STAGE_1,
        case_reference="PCC-204518",
        lscp_area=LscpArea.PORTSMOUTH,
        raised_by=Person(name="Priya Shah"),
        raiser_agency="St Mary's Primary School",
        raiser_role="Designated Safeguarding Lead",
        other_agency="Children's Social Care",
        concern_arose_on=date(2026, 11, 19),
        stage_started_on=date(2026, 11, 19),
        deadline=policy.stage_deadline(date(2026, 11, 19), urgent=False),
        opened_at=datetime(2026, 11, 19, 10, 5, tzinfo=UTC),
    )
    text = card_texts(card_payload(thread_card(thread, today=date(2026, 11, 20))))
    assert STAGE_GUIDES[Stage.ONE].timescale in text
    assert "within two working days from when the disagreement" in text


@pytest.mark.parametrize(
    ("count", "words"),
    [
        (0, "the same working day"),
        (1, "one working day"),
        (2, "two working days"),
        (3, "three working days"),
        (20, "twenty working days"),
        (21, "21 working days"),
    ],
)
def test_working_days_in_words(count: int, words: str) -> None:
    assert working_days_in_words(count) == words


def test_a_negative_number_of_working_days_has_no_words() -> None:
    with pytest.raises(ValueError, match="negative"):
        working_days_in_words(-1)
