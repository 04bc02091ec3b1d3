"""The template questions and relational prompts are the published HIPS wording (seed 004)."""

from __future__ import annotations

import pytest

from domain.forms.fields import MAX_TEMPLATE_ANSWER_LENGTH as MAX_ANSWER_LENGTH
from domain.template import (
    RELATIONAL_PROMPTS,
    TEMPLATE_QUESTIONS,
    TEMPLATE_QUESTIONS_BY_ID,
    TEMPLATE_TITLE,
    TemplateQuestion,
)
from scripts.extract_seed_fixtures import passage

# The one change to the published wording: the seed prints question 7 without its "?".
QUESTION_MARK_ADDED = frozenset({"q7"})


def as_published(question: TemplateQuestion) -> str:
    if question.id in QUESTION_MARK_ADDED:
        return question.text.removesuffix("?")
    return question.text


def normalised(text: str) -> str:
    """Collapse runs of whitespace (tabs, non-breaking spaces, line breaks) to one space."""
    return " ".join(text.split())


# Seed 004's sections, copied verbatim into tests/fixtures/seeds by
# scripts/extract_seed_fixtures.py: from "3. Template to Consider/Structure Your Concerns" up to
# "4. Prompts", and from "4. Prompts to support relational conversations" up to
# "5. Our shared aims".
@pytest.fixture(scope="module")
def template_section() -> str:
    return normalised(passage("004", "template"))


@pytest.fixture(scope="module")
def prompts_section() -> str:
    return normalised(passage("004", "relational prompts"))


def test_there_are_seven_questions_numbered_in_order_with_stable_ids() -> None:
    assert [question.number for question in TEMPLATE_QUESTIONS] == [1, 2, 3, 4, 5, 6, 7]
    assert [question.id for question in TEMPLATE_QUESTIONS] == [f"q{n}" for n in range(1, 8)]
    assert TEMPLATE_QUESTIONS_BY_ID["q4"] is TEMPLATE_QUESTIONS[3]


@pytest.mark.parametrize("question", TEMPLATE_QUESTIONS, ids=lambda question: question.id)
def test_each_question_is_worded_as_in_the_published_template(
    question: TemplateQuestion, template_section: str
) -> None:
    assert normalised(as_published(question)) in template_section


def test_the_questions_appear_in_the_seed_in_the_same_order(template_section: str) -> None:
    positions = [template_section.index(as_published(question)) for question in TEMPLATE_QUESTIONS]
    assert positions == sorted(positions)


def test_only_the_last_question_differs_from_the_seed_by_its_added_question_mark(
    template_section: str,
) -> None:
    last = TEMPLATE_QUESTIONS[-1]
    assert last.text == "What are your next steps?"
    assert "What are your next steps?" not in template_section
    assert "What are your next steps" in template_section


def test_the_title_is_the_seeds(template_section: str) -> None:
    assert f"Template: {TEMPLATE_TITLE}" in template_section


def test_the_concern_impact_outcomes_and_next_steps_are_required_the_rest_optional() -> None:
    required = {question.id for question in TEMPLATE_QUESTIONS if question.required}
    assert required == {"q1", "q2", "q6", "q7"}


def test_every_answer_may_be_two_thousand_characters() -> None:
    assert MAX_ANSWER_LENGTH == 2000
    assert {question.max_length for question in TEMPLATE_QUESTIONS} == {2000}


def test_the_relational_phases_are_the_seeds_four_headings_in_order(prompts_section: str) -> None:
    titles = [phase.title for phase in RELATIONAL_PROMPTS]
    assert titles == ["What happened?", "Impact", "What needs to happen now", "Plan to follow-up"]
    positions = [prompts_section.index(title) for title in titles]
    assert positions == sorted(positions)


@pytest.mark.parametrize("index", [0, 1, 2], ids=[p.title for p in RELATIONAL_PROMPTS[:3]])
def test_each_prompt_is_a_bullet_of_its_phase_in_the_seed_in_order(
    index: int, prompts_section: str
) -> None:
    phase = RELATIONAL_PROMPTS[index]
    start = prompts_section.index(phase.title)
    end = prompts_section.index(RELATIONAL_PROMPTS[index + 1].title, start + len(phase.title))
    phase_text = prompts_section[start:end]
    position = 0
    for prompt in phase.prompts:
        position = phase_text.index(f"· {prompt}", position) + 1
    assert phase_text.count("·") == len(phase.prompts)


def test_the_follow_up_prompt_is_quoted_with_its_heading(prompts_section: str) -> None:
    follow_up = RELATIONAL_PROMPTS[-1]
    (prompt,) = follow_up.prompts
    assert f"{follow_up.title} – {prompt}" in prompts_section


def test_what_needs_to_happen_now_ends_with_what_we_have_learned() -> None:
    assert RELATIONAL_PROMPTS[2].prompts[-2:] == (
        "What have we learned?",
        "If this happens again, what will we do differently?",
    )
