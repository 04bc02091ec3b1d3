"""The welcome card: what the bot does, what it is not for, and how to talk to it.

Sent when the bot is installed, on a user's first message, and in answer to "help".
Wording of the procedures is quoted from the seeds (HIPS procedure, seed 004; Re-think, seed 002).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from microsoft_teams.cards import (
    AdaptiveCard,
    CardElement,
    Container,
    ExecuteAction,
    Fact,
    FactSet,
    TextBlock,
)

from cards.verbs import Verb
from domain.policy import DEFAULT_WORKING_DAYS_PER_STAGE, working_days_in_words


@dataclass(frozen=True)
class Command:
    """A typed command and what it does, as listed on the welcome card."""

    text: str
    does: str


COMMANDS: tuple[Command, ...] = (
    Command("new concern", "log a professional disagreement or a piece of work that is stuck"),
    Command("my concerns", "list your open concerns, their stage and when each is due"),
    Command("continue my draft", "pick up a concern you started and did not finish"),
    Command("view ESC-2026-0007", "see the whole history of one concern"),
    Command("help", "show this card again"),
)

BINDING_PRINCIPLE = (
    "“The safety and wellbeing of the child should be the binding principle of "
    "inter-agency working.”"
)


def _text(
    text: str,
    *,
    weight: Literal["Default", "Bolder"] | None = None,
    color: Literal["Default", "Attention"] | None = None,
    subtle: bool | None = None,
    spacing: Literal["Default", "Medium"] | None = None,
) -> TextBlock:
    return TextBlock(
        text=text, wrap=True, weight=weight, color=color, is_subtle=subtle, spacing=spacing
    )


def _not_for() -> list[CardElement]:
    return [
        _text("What this is not for", weight="Bolder", spacing="Medium"),
        _text(
            "**A child at immediate risk of significant harm:** do not wait for this process. "
            "Follow your child protection procedures now.",
            color="Attention",
        ),
        _text(
            "**Systemic issues** and **complaints:** the HIPS procedure “is not for use where "
            "there are systemic issues nor as a replacement for agencies complaints processes”."
        ),
        _text(
            "**Challenge within a child protection conference:** that is part of the HIPS "
            "procedures for child protection conferences."
        ),
    ]


class WelcomeCard(Protocol):
    """The welcome card with the deployment's timescale filled in (see `welcome_card_for`)."""

    def __call__(self, *, user_first_name: str | None = None) -> AdaptiveCard: ...


def welcome_card_for(working_days_per_stage: int) -> WelcomeCard:
    """The welcome card as this deployment words it: its stages take `working_days_per_stage`."""

    def card(*, user_first_name: str | None = None) -> AdaptiveCard:
        return welcome_card(
            user_first_name=user_first_name, working_days_per_stage=working_days_per_stage
        )

    return card


def welcome_card(
    *,
    user_first_name: str | None = None,
    working_days_per_stage: int = DEFAULT_WORKING_DAYS_PER_STAGE,
) -> AdaptiveCard:
    """The card that introduces the bot. `user_first_name` personalises the greeting only.

    `working_days_per_stage` is the policy's (`ProcedurePolicy.working_days_per_stage`), so the
    card says when a stage is due the way the bot works it out.
    """
    greeting = f"Hello {user_first_name}" if user_first_name else "Hello"
    timescale = working_days_in_words(working_days_per_stage)
    body: list[CardElement] = [
        TextBlock(
            text="Resolving professional differences together",
            wrap=True,
            size="Large",
            weight="Bolder",
            style="heading",
        ),
        _text(
            f"{greeting}. I help practitioners in Hampshire, Isle of Wight, Portsmouth and "
            "Southampton raise and follow a professional disagreement about a child, using the "
            "HIPS procedure “Working Together to Resolve Professional Differences” and, in "
            "Portsmouth, the PSCP’s Re-think strategies."
        ),
        _text(
            "I keep each concern’s stages, decisions and agreed actions, work out when each "
            f"stage is due ({timescale}, unless the child’s needs require faster "
            "resolution) and remind you when it is."
        ),
        _text(BINDING_PRINCIPLE, subtle=True),
        Container(items=_not_for()),
        _text("What you can type", weight="Bolder", spacing="Medium"),
        FactSet(facts=[Fact(title=command.text, value=command.does) for command in COMMANDS]),
        _text(
            "Use your agency’s case reference, never a child’s name. This chat is not the "
            "child’s record: agreed actions still go on the child’s file.",
            subtle=True,
        ),
    ]
    return AdaptiveCard(
        version="1.5",
        body=body,
        actions=[
            ExecuteAction(
                title="New concern", verb=Verb.NEW_CONCERN.value, data={}, style="positive"
            ),
            ExecuteAction(title="My concerns", verb=Verb.MY_CONCERNS.value, data={}),
            ExecuteAction(title="Continue my draft", verb=Verb.CONTINUE_DRAFT.value, data={}),
        ],
    )
