"""Opening and changing escalation threads: load, decide, persist, in one transaction each.

Handlers call this; it calls `domain.decisions.decide` and the repositories. A change names the
thread version the practitioner's card showed: if the thread has moved on since (a double click,
Teams retrying a slow turn, a colleague acting first), nothing is applied and the current thread
comes back instead, so no change is ever made twice (DESIGN.md 4.4).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from domain.access import is_on_thread
from domain.decisions import (
    ChangeCommand,
    ChooseOption,
    Decision,
    OpenHipsThread,
    OpenRethinkThread,
    decide,
)
from domain.errors import DomainError
from domain.forms.intake_checks import IntakeOutcome
from domain.forms.reading import Checked
from domain.model import AuditEvent, EscalationThread, Person, PlannedReminder, Route
from domain.policy import ProcedurePolicy
from storage.db import Database
from storage.repositories import ConcurrencyConflict, OutboxRepository, ThreadRepository
from storage.timestamps import utc_now


class ThreadNotFound(DomainError):
    """No thread has that reference (or the user may not see it)."""


@dataclass(frozen=True)
class ChangeResult:
    """The thread after a change, and whether the change was applied or the card was stale.

    `already_made`: the card was stale because this very click (same card, same button) made
    the change a moment ago: a double click, or Teams retrying a slow turn.
    """

    thread: EscalationThread
    applied: bool
    already_made: bool = False
    refused: str | None = None  # the domain said no (ActionNotAllowed, InvalidInput): why
    rejected: Checked[Any] | None = None  # the form was not clean: its problems


class FormRejected(Exception):
    """Raised by a change's commands when the form it came from is not clean: nothing is stored
    and the problems come back in `ChangeResult.rejected`."""

    def __init__(self, checked: Checked[Any]) -> None:
        super().__init__("the form is not clean")
        self.checked = checked


@dataclass(frozen=True)
class Opened:
    """The thread an intake opened, and whether this call opened it or found it opened."""

    thread: EscalationThread
    newly_opened: bool


def request_key(*parts: str) -> str:
    """A fixed-length key naming one request (an intake's final form, a click on a card)."""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


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

    async def open(
        self, new: IntakeOutcome, raised_by: Person, *, intake_key: str | None = None
    ) -> Opened:
        """Open a thread from an intake and store it with its events and reminders.

        With `intake_key`, one intake opens one thread: a second call with the same key, at the
        same time or later, in this process or another, returns the thread the first opened.
        """
        if intake_key is not None:
            existing = await self._opened_by(intake_key)
            if existing is not None:
                return Opened(existing, newly_opened=False)
        try:
            return Opened(await self._open(new, raised_by, intake_key), newly_opened=True)
        except IntegrityError:
            existing = await self._opened_by(intake_key) if intake_key is not None else None
            if existing is None:
                raise
            return Opened(existing, newly_opened=False)

    async def _open(
        self, new: IntakeOutcome, raised_by: Person, intake_key: str | None
    ) -> EscalationThread:
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
            await threads.add(decisions[0].thread, intake_key=intake_key)
            await self._store(threads, OutboxRepository(session), decisions, first_is_new=True)
            return decisions[-1].thread

    async def _opened_by(self, intake_key: str) -> EscalationThread | None:
        async with self._database.session(read_only=True) as session:
            threads = ThreadRepository(session)
            reference = await threads.reference_opened_by(intake_key)
            return None if reference is None else await threads.get(reference)

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
        request: str | None = None,
    ) -> ChangeResult:
        """Apply the commands `commands(thread, now)` builds, all or nothing, in ONE transaction:
        load, check the card's version, check the form (the commands may raise FormRejected),
        decide, persist; the result carries the thread as saved, to answer from.

        Raises ThreadNotFound for an unknown thread or one the user is not on. A refusal of the
        domain (ActionNotAllowed, InvalidInput) comes back as `refused`, nothing stored.
        """
        now = self._clock()
        async with self._database.session() as session:
            threads = ThreadRepository(session)
            thread = await threads.get(reference)
            if thread is None or not is_on_thread(thread, user_id):
                raise ThreadNotFound(f"There is no concern {reference} that you are part of.")
            if thread.version != expected_version:
                made = request is not None and await threads.was_made_by(reference, request)
                return ChangeResult(thread=thread, applied=False, already_made=made)
            decisions: list[Decision] = []
            current = thread
            try:
                for command in commands(thread, now):
                    decisions.append(decide(current, command, self._policy))
                    current = decisions[-1].thread
            except FormRejected as rejection:
                return ChangeResult(thread=thread, applied=False, rejected=rejection.checked)
            except DomainError as error:
                return ChangeResult(thread=thread, applied=False, refused=error.message)
            if not decisions:
                return ChangeResult(thread=thread, applied=False)
            try:
                await self._store(
                    threads,
                    OutboxRepository(session),
                    decisions,
                    first_is_new=False,
                    request=request,
                )
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
        request: str | None = None,
    ) -> None:
        """Persist a run of decisions: each version in turn, every event, the net reminders."""
        reference = decisions[0].thread.reference
        for index, decision in enumerate(decisions):
            if first_is_new and index == 0:
                continue  # added by the caller
            await threads.save(decision.thread, expected_version=decision.thread.version - 1)
        await threads.append_events(
            reference, [e for d in decisions for e in d.events], request_key=request
        )
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
