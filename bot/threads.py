"""Opening and changing escalation threads: load, decide, persist, in one transaction each.

Handlers call this; it calls `domain.decisions.decide` and the repositories. A change names the
thread version the practitioner's card showed: if the thread has moved on since (a double click,
Teams retrying a slow turn, a colleague acting first), nothing is applied and the current thread
comes back instead, so no change is ever made twice (DESIGN.md 4.4).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dialogs.intake import IntakeOutcome
from domain.decisions import (
    ChangeCommand,
    ChooseOption,
    Decision,
    OpenHipsThread,
    OpenRethinkThread,
    decide,
)
from domain.errors import DomainError
from domain.model import AuditEvent, EscalationThread, Person, PlannedReminder, Route
from domain.policy import ProcedurePolicy
from storage.db import Database
from storage.repositories import ConcurrencyConflict, OutboxRepository, ThreadRepository
from storage.timestamps import utc_now


class ThreadNotFound(DomainError):
    """No thread has that reference (or the user may not see it)."""


@dataclass(frozen=True)
class ChangeResult:
    """The thread after a change, and whether the change was applied or the card was stale."""

    thread: EscalationThread
    applied: bool


def is_on_thread(thread: EscalationThread, user_id: str | None) -> bool:
    """The people a thread concerns: who raised it, their line manager, the other practitioner."""
    if not user_id:
        return False
    people = (thread.raised_by, thread.line_manager, thread.other_practitioner)
    return any(person is not None and person.user_id == user_id for person in people)


class ThreadService:
    """The one place where thread changes are decided and stored."""

    def __init__(
        self,
        database: Database,
        policy: ProcedurePolicy,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._database = database
        self._policy = policy
        self._clock = clock

    @property
    def policy(self) -> ProcedurePolicy:
        return self._policy

    def now(self) -> datetime:
        return self._clock()

    async def open(self, new: IntakeOutcome, raised_by: Person) -> EscalationThread:
        """Open a thread from an intake and store it with its events and reminders."""
        now = self._clock()
        async with self._database.session() as session:
            threads = ThreadRepository(session)
            reference = await threads.allocate_reference(self._policy.local_date(now).year)
            opening = self._opening(new, raised_by, reference, now)
            decisions = [decide(None, opening, self._policy)]
            if new.choice is not None:
                choose = ChooseOption(
                    actor=raised_by, at=now, option=new.choice.option, on_date=new.choice.on_date
                )
                decisions.append(decide(decisions[-1].thread, choose, self._policy))
            await threads.add(decisions[0].thread)
            await self._store(threads, OutboxRepository(session), decisions, first_is_new=True)
            return decisions[-1].thread

    def _opening(
        self, new: IntakeOutcome, raised_by: Person, reference: str, now: datetime
    ) -> OpenHipsThread | OpenRethinkThread:
        details = new.details
        common: dict[str, Any] = {
            "actor": raised_by,
            "at": now,
            "reference": reference,
            "case_reference": details.case_reference,
            "lscp_area": details.lscp_area,
            "raiser_agency": details.raiser_agency,
            "raiser_role": details.raiser_role,
            "other_agency": details.other_agency,
            "concern_arose_on": details.concern_arose_on,
            "other_practitioner": details.other_practitioner,
            "line_manager": details.line_manager(),
        }
        if new.route is Route.HIPS:
            return OpenHipsThread(
                **common,
                urgent_reason=details.urgent_reason if details.urgent else None,
                template_answers=dict(new.template.answers) if new.template else {},
            )
        return OpenRethinkThread(**common, is_lead_professional=new.is_lead_professional)

    async def change(
        self,
        reference: str,
        *,
        expected_version: int,
        user_id: str | None,
        commands: Callable[[EscalationThread, datetime], Sequence[ChangeCommand]],
    ) -> ChangeResult:
        """Apply the commands `commands(thread, now)` builds, all or nothing.

        Raises ThreadNotFound for an unknown thread or one the user is not on; domain errors
        (ActionNotAllowed, InvalidInput) pass through with nothing stored.
        """
        now = self._clock()
        async with self._database.session() as session:
            threads = ThreadRepository(session)
            thread = await threads.get(reference)
            if thread is None or not is_on_thread(thread, user_id):
                raise ThreadNotFound(f"There is no concern {reference} that you are part of.")
            if thread.version != expected_version:
                return ChangeResult(thread=thread, applied=False)
            decisions: list[Decision] = []
            current = thread
            for command in commands(thread, now):
                decisions.append(decide(current, command, self._policy))
                current = decisions[-1].thread
            if not decisions:
                return ChangeResult(thread=thread, applied=False)
            try:
                await self._store(threads, OutboxRepository(session), decisions, first_is_new=False)
            except ConcurrencyConflict:
                latest = await threads.get(reference)
                return ChangeResult(thread=latest or thread, applied=False)
            return ChangeResult(thread=current, applied=True)

    async def _store(
        self,
        threads: ThreadRepository,
        outbox: OutboxRepository,
        decisions: Sequence[Decision],
        *,
        first_is_new: bool,
    ) -> None:
        """Persist a run of decisions: each version in turn, every event, the net reminders."""
        reference = decisions[0].thread.reference
        for index, decision in enumerate(decisions):
            if first_is_new and index == 0:
                continue  # added by the caller
            await threads.save(decision.thread, expected_version=decision.thread.version - 1)
        await threads.append_events(reference, [e for d in decisions for e in d.events])
        reminders: list[PlannedReminder] = []
        cancel = False
        for decision in decisions:
            if decision.cancel_pending_reminders:
                cancel, reminders = True, []
            reminders.extend(decision.reminders)
        if cancel:
            await outbox.cancel_pending(reference)
        if reminders:
            await outbox.enqueue(reference, reminders)

    async def get(self, reference: str, *, user_id: str | None) -> EscalationThread:
        async with self._database.session(read_only=True) as session:
            thread = await ThreadRepository(session).get(reference)
        if thread is None or not is_on_thread(thread, user_id):
            raise ThreadNotFound(f"There is no concern {reference} that you are part of.")
        return thread

    async def history(
        self, reference: str, *, user_id: str | None
    ) -> tuple[EscalationThread, list[AuditEvent]]:
        async with self._database.session(read_only=True) as session:
            repository = ThreadRepository(session)
            thread = await repository.get(reference)
            if thread is None or not is_on_thread(thread, user_id):
                raise ThreadNotFound(f"There is no concern {reference} that you are part of.")
            return thread, await repository.events(reference)

    async def open_threads_of(self, user_id: str) -> list[EscalationThread]:
        async with self._database.session(read_only=True) as session:
            return await ThreadRepository(session).list_for_user(user_id, open_only=True)
