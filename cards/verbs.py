"""The verbs that Action.Execute buttons send, shared by the cards and the bot's routing.

Every button the bot renders carries one of these; the bot registers a handler for each, and a
test checks that no card uses a verb the bot does not route.
"""

from __future__ import annotations

from enum import StrEnum


class Verb(StrEnum):
    """Action.Execute verbs. Values are what Teams sends back in `value.action.verb`."""

    # The welcome card.
    SHOW_HELP = "showHelp"
    NEW_CONCERN = "newConcern"
    MY_CONCERNS = "myConcerns"
    CONTINUE_DRAFT = "continueDraft"

    # Any form of the intake dialog. `data.formId` names the form instance.
    SUBMIT_FORM = "submitForm"
    SAVE_DRAFT = "saveDraft"
    CANCEL_FORM = "cancelForm"
    CONFIRM_CANCEL = "confirmCancel"
    KEEP_GOING = "keepGoing"

    # A thread's card. `data.reference` names the thread, `data.version` the version shown.
    VIEW_THREAD = "viewThread"
    SHOW_THREAD_CARD = "showThreadCard"
    ESCALATE = "escalate"
    START_RESOLVE = "startResolve"
    SUBMIT_RESOLVE = "submitResolve"
    START_NOTE = "startNote"
    SUBMIT_NOTE = "submitNote"
    STILL_STUCK = "stillStuck"
    START_CHOOSE_OPTION = "startChooseOption"
    SUBMIT_CHOOSE_OPTION = "submitChooseOption"
    HAND_OVER_TO_HIPS = "handOverToHips"
    START_FACILITATOR_REQUEST = "startFacilitatorRequest"
    SUBMIT_FACILITATOR_REQUEST = "submitFacilitatorRequest"
