"""Builders of domain objects for storage tests: complete, realistic values with every field set."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from domain.model import (
    AgreedAction,
    EscalationThread,
    LscpArea,
    Person,
    ThreadState,
)

RAISER = Person(name="Sam Patel", email="sam.patel@example.org", user_id="aad-sam")
OTHER_PRACTITIONER = Person(name="Alex Morgan", email="alex.morgan@example.org", user_id="aad-alex")
LINE_MANAGER = Person(name="Jo Clarke", email="jo.clarke@example.org", user_id="aad-jo")
OPENED_AT = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)


def make_thread(reference: str = "ESC-2026-0001", **changes: Any) -> EscalationThread:
    """A thread at stage 2 with every optional field filled in, so round trips check them all."""
    thread = EscalationThread(
        reference=reference,
        state=ThreadState.STAGE_2,
        case_reference="CASE-48213",
        lscp_area=LscpArea.PORTSMOUTH,
        raised_by=RAISER,
        raiser_agency="School",
        raiser_role="Designated safeguarding lead",
        other_agency="Children's social care",
        concern_arose_on=date(2026, 2, 26),
        stage_started_on=date(2026, 3, 2),
        deadline=date(2026, 3, 4),
        opened_at=OPENED_AT,
        urgent=True,
        urgent_reason="Child due home from hospital on Friday",
        other_practitioner=OTHER_PRACTITIONER,
        line_manager=LINE_MANAGER,
        is_lead_professional=True,
        version=1,
        template_answers={
            "decision_of_concern": "Step-down to early help without a strategy discussion",
            "impact_on_child": "Risk of harm not reassessed — “why now?”",
        },
        agreed_actions=(
            AgreedAction(
                what="Share health visitor notes", who="Alex Morgan", by_when=date(2026, 3, 5)
            ),
            AgreedAction(
                what="Book a professionals meeting",
                who="Jo Clarke",
                by_when=date(2026, 3, 9),
                done=True,
            ),
        ),
        # Handed over from Re-think: the Lead Professional began at Strategy 2.
        rethink_options=("s2_multi_agency_rethink", "s3_independently_facilitated_rethink"),
    )
    return replace(thread, **changes)
