"""Concerns for the escalate load: opened through the project's own ThreadService, in bulk.

Each is a HIPS concern at stage 1, as the intake would open it, raised by one of the bench's
practitioners (`bench_users`, the tests' Alex Morgan first), who may then escalate it; the bench
clicks Escalate once on each, as the practitioner who raised it, with the version its card
shows. Opening them here, before the bot starts, is much faster than logging each one over HTTP
and writes the same rows (`ThreadService.open`: the thread, its opening event and its reminders,
one transaction each).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from domain.forms.intake_checks import CaseDetails, IntakeOutcome, TemplateAnswers
from domain.model import EscalationThread, LscpArea, Person, Route
from services.concerns import ThreadService
from settings import Settings
from storage.db import Database
from tests.support.teams_activities import ALEX, TeamsUser


@dataclass(frozen=True)
class Concern:
    """A concern to click on: its reference, the version its card shows, who raised it."""

    reference: str
    version: int
    raised_by: TeamsUser


def bench_users(count: int) -> list[TeamsUser]:
    """`count` practitioners, each with a personal chat of their own with the bot (the tests'
    Alex Morgan first), so that concurrent turns come from different conversations as they do
    in Teams: the bot handles one turn at a time per conversation."""
    users = [ALEX]
    users += [
        TeamsUser(
            teams_id=f"29:1bench-user-{number}",
            aad_object_id=f"bbbbbbbb-0000-4000-8000-{number:012d}",
            name=f"Bench User {number}",
        )
        for number in range(1, count)
    ]
    return users


def _outcome(settings: Settings, database: Database) -> IntakeOutcome:
    policy = settings.procedure_policy()
    today = ThreadService(database, policy).now().astimezone(policy.timezone).date()
    details = CaseDetails(
        case_reference="SCC-88231",
        lscp_area=LscpArea.SOUTHAMPTON,
        raiser_agency="Solent NHS Trust health visiting",
        raiser_role="Health visitor",
        other_agency="Southampton children's social care",
        other_practitioner=None,
        line_manager_name="Priya Shah",
        line_manager_email=None,
        line_manager_id=None,
        urgent=False,
        urgent_reason=None,
        concern_arose_on=today - timedelta(days=3),
    )
    template = TemplateAnswers(
        answers={
            "q1": "The plan was stepped down to early help although home conditions are the same.",
            "q2": "Health needs may be missed; regular visits mitigate this a little.",
            "q6": "A review of the step-down decision.",
            "q7": "Discuss with my safeguarding lead today.",
        }
    )
    return IntakeOutcome(
        route=Route.HIPS,
        details=details,
        template=template,
        is_lead_professional=False,
        choice=None,
    )


async def open_concerns(
    settings: Settings, count: int, users: Sequence[TeamsUser] = (ALEX,)
) -> list[Concern]:
    """Migrate the database named by `settings` and open `count` concerns in it, raised by
    `users` in turn."""
    database = Database(settings.database_url)
    try:
        await database.migrate_to_head()
        threads = ThreadService(database, settings.procedure_policy())
        outcome = _outcome(settings, database)
        started = time.perf_counter()
        concerns: list[Concern] = []
        for number in range(count):
            user = users[number % len(users)]
            person = Person(name=user.name, user_id=user.aad_object_id)
            opened: Any = await threads.open(outcome, person)
            # `open` returns the thread, or (with idempotency keys) an `Opened` holding it.
            thread: EscalationThread = getattr(opened, "thread", opened)
            concerns.append(Concern(thread.reference, thread.version, user))
        elapsed = time.perf_counter() - started
        print(f"  opened {count} concerns in {elapsed:.1f} s (ThreadService.open, one by one)")
        return concerns
    finally:
        await database.dispose()
