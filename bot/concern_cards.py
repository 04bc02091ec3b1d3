"""Rendering thread cards with what only configuration and the clock know: contacts and today."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from microsoft_teams.cards import AdaptiveCard

from cards.concern import (
    choose_option_form_card,
    facilitator_request_card,
    hand_over_form_card,
    my_concerns_card,
    note_form_card,
    resolve_form_card,
    thread_card,
    thread_history_card,
)
from cards.forms import FormView
from dialogs.forms import confirmed_not_identifying
from domain.forms.reading import Checked
from domain.model import AuditEvent, EscalationThread, LscpArea
from domain.policy import ProcedurePolicy


@dataclass(frozen=True)
class Contacts:
    """Contact details from configuration that cards quote."""

    lscp_emails: Mapping[LscpArea, str]
    rethink_name: str
    rethink_email: str
    child_protection: Sequence[tuple[str, str]]


def form_view(
    form_id: str, values: Mapping[str, str], checked: Checked[object] | None = None
) -> FormView:
    """A thread form as the practitioner left it, with any problems found in it."""
    return FormView(
        form_id=form_id,
        values=dict(values),
        problems=checked.problems if checked else (),
        warnings=checked.unconfirmed_warnings if checked else (),
        confirmed_not_identifying=confirmed_not_identifying(values),
    )


class ThreadCards:
    """Thread cards for today, in the configured time zone, with the configured contacts."""

    def __init__(
        self, contacts: Contacts, policy: ProcedurePolicy, clock: Callable[[], datetime]
    ) -> None:
        self._contacts = contacts
        self._policy = policy
        self._clock = clock

    def today(self) -> date:
        return self._policy.local_date(self._clock())

    def thread_card(self, thread: EscalationThread, *, notice: str | None = None) -> AdaptiveCard:
        return thread_card(
            thread,
            today=self.today(),
            notice=notice,
            lscp_contact_email=self._contacts.lscp_emails.get(thread.lscp_area),
            rethink_contact=(self._contacts.rethink_name, self._contacts.rethink_email),
        )

    def history_card(self, thread: EscalationThread, events: Sequence[AuditEvent]) -> AdaptiveCard:
        return thread_history_card(thread, events, today=self.today(), tz=self._policy.timezone)

    def my_concerns_card(self, threads: Sequence[EscalationThread]) -> AdaptiveCard:
        return my_concerns_card(threads, today=self.today())

    def note_form(self, thread: EscalationThread, form: FormView) -> AdaptiveCard:
        return note_form_card(thread, form)

    def resolve_form(self, thread: EscalationThread, form: FormView) -> AdaptiveCard:
        return resolve_form_card(thread, form)

    def choose_option_form(self, thread: EscalationThread, form: FormView) -> AdaptiveCard:
        return choose_option_form_card(thread, form)

    def hand_over_form(self, thread: EscalationThread, form: FormView) -> AdaptiveCard:
        return hand_over_form_card(thread, form)

    def facilitator_form(self, thread: EscalationThread, form: FormView) -> AdaptiveCard:
        return facilitator_request_card(
            thread,
            form,
            contact_name=self._contacts.rethink_name,
            contact_email=self._contacts.rethink_email,
        )
