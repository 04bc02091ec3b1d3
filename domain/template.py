"""The HIPS "Structuring your concerns" template and the prompts for relational conversations.

Both are quoted word for word from the published HIPS procedure, "Working Together to Resolve
Professional Differences" (seed 004, sections 3 and 4), so that what practitioners read in Teams
is what their partnership published. `tests/unit/test_template.py` reads the seed and fails if
the wording here drifts from it.

Which questions are required. Stage 1 is a conversation with one's own line manager or
safeguarding lead "to clarify their thinking, to identify the problem, the potential impact on
the child and be able to specify what the disagreement is about" (seed 004, stage 1). So the
practitioner must be able to say what the concern is (question 1), what it means for the child
(question 2), what they want for the child (question 6) and what they will do next (question 7)
before that conversation. Questions 3 (indicators of need or risk against the local threshold
guidance), 4 (whether everything has been shared with the decision maker) and 5 (what else is
needed) are often exactly what the stage 1 conversation works out, so a concern can be logged
before they are answered: they stay optional.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from domain.forms.fields import MAX_TEMPLATE_ANSWER_LENGTH, TemplateField


@dataclass(frozen=True)
class TemplateQuestion:
    """One question of the template. `id` is stable: cards and stored answers are keyed by it
    (the ids and the limit are declared in `domain.forms.fields`)."""

    id: str
    number: int
    text: str
    required: bool
    max_length: int


TEMPLATE_TITLE = "Structuring your concerns"

TEMPLATE_QUESTIONS: tuple[TemplateQuestion, ...] = (
    TemplateQuestion(
        id=TemplateField.Q1.value,
        number=1,
        text="What is the decision or practice that is of concern and why?",
        required=True,
        max_length=MAX_TEMPLATE_ANSWER_LENGTH,
    ),
    TemplateQuestion(
        id=TemplateField.Q2.value,
        number=2,
        text=(
            "What impact is this likely to have on the child/ren? And why? "
            "Are there factors that might mitigate?"
        ),
        required=True,
        max_length=MAX_TEMPLATE_ANSWER_LENGTH,
    ),
    TemplateQuestion(
        id=TemplateField.Q3.value,
        number=3,
        text=(
            "What are indicators of need/risk for the child considering the threshold "
            "guidance for the local area?"
        ),
        required=False,
        max_length=MAX_TEMPLATE_ANSWER_LENGTH,
    ),
    TemplateQuestion(
        id=TemplateField.Q4.value,
        number=4,
        text="Has all relevant information been shared with the decision maker?",
        required=False,
        max_length=MAX_TEMPLATE_ANSWER_LENGTH,
    ),
    TemplateQuestion(
        id=TemplateField.Q5.value,
        number=5,
        text=(
            "Is there any additional information that is needed? The roles and "
            "responsibilities of an agency, the criteria for a service for example? "
            "Who can support you in finding this information?"
        ),
        required=False,
        max_length=MAX_TEMPLATE_ANSWER_LENGTH,
    ),
    TemplateQuestion(
        id=TemplateField.Q6.value,
        number=6,
        text="What are the outcomes you are seeking for the child?",
        required=True,
        max_length=MAX_TEMPLATE_ANSWER_LENGTH,
    ),
    TemplateQuestion(
        id=TemplateField.Q7.value,
        number=7,
        # The seed prints "What are your next steps" without a question mark; it is added here
        # for display, as the only change to the published wording.
        text="What are your next steps?",
        required=True,
        max_length=MAX_TEMPLATE_ANSWER_LENGTH,
    ),
)

TEMPLATE_QUESTIONS_BY_ID: Mapping[str, TemplateQuestion] = MappingProxyType(
    {question.id: question for question in TEMPLATE_QUESTIONS}
)


@dataclass(frozen=True)
class RelationalPhase:
    """One heading of "Prompts to support relational conversations" and its prompts."""

    title: str
    prompts: tuple[str, ...]


# Seed 004 section 4, in order. The ellipses ("Tell me more about…") are the seed's own
# characters: the speaker completes the sentence.
RELATIONAL_PROMPTS: tuple[RelationalPhase, ...] = (
    RelationalPhase(
        title="What happened?",
        prompts=(
            "What are your concerns?",
            "Tell me about your thinking?",
            "Tell me more about…",
            "At that point, what were you thinking/feeling?",
            "Do you have any other comments to make/ anything you would like to add?",
            "Has anything happened since the disagreement that needs to be shared?",
            "Would you like to share information about your role, would you like to know more "
            "about mine?",
        ),
    ),
    RelationalPhase(
        title="Impact",
        prompts=(
            "Has the child been affected?",
            "How have they been affected?",
            "How might they be affected?",
            "Has anyone else been affected? Who? What has been the impact on them?",
            "How do you feel about it now?",
            "Have you got anything else to add?",
            "Tell me more about…",
        ),
    ),
    RelationalPhase(
        title="What needs to happen now",
        prompts=(
            "What needs to happen next?",
            "What would that look like?",
            "When does this need to happen?",
            "What support might be needed to make this happen?",
            "What else needs to happen?",
            "What do you think about what has been suggested?",
            "How does that leave you feeling?",
            "How will we know that what we have agreed will happen, has happened?",
            "Are you okay with that?",
            "Do we all agree that…?",
            "Anything else to add?",
            "What have we learned?",
            "If this happens again, what will we do differently?",
        ),
    ),
    RelationalPhase(
        title="Plan to follow-up",
        prompts=(
            "When will be a good time to check in together to see how the plan is moving on.",
        ),
    ),
)
