"""Every state change of the live module, by subject; callers write `services.round_publish(...)`.

Each service locks the session row, checks the permission, validates, saves, appends to the event log and
broadcasts on commit: nothing is announced before it is committed (the opening is `_base.locked`).

- participants: joining, voting cards, admission, names, the eligibility mode, the sign-in list
- rounds: preparing, opening, closing, counting and publishing rounds; ending the session
- contributions: proposals and comments
- moderation: hiding, restoring, merging, retitling; flags
- ballots: online ballots, paper slips, voiding a slip
- presence: who has the session open (not logged)
"""

from deliberation.services._base import CONTRIBUTIONS_PER_MINUTE
from deliberation.services.authoring import session_duplicate
from deliberation.services.ballots import BALLOTS_PER_MINUTE, ballot_cast, ballot_enter_paper, ballot_void_paper
from deliberation.services.contributions import comment_submit, proposal_submit
from deliberation.services.moderation import (
    comment_hide,
    comment_restore,
    flag_resolve,
    flag_submit,
    proposal_edit_title,
    proposal_hide,
    proposal_merge,
    proposal_restore,
    proposal_unmerge,
)
from deliberation.services.participants import (
    CARDS_PER_CALL,
    cards_generate,
    participant_admit,
    participant_join,
    participant_new_return_link,
    participant_refuse,
    participant_rename,
    participant_use_card,
    session_set_eligibility,
    voter_add,
    voter_remove,
    voters_set,
)
from deliberation.services.presence import presence_apply
from deliberation.services.rounds import (
    ROUND_FIELDS,
    ROUND_TEXT_FIELDS,
    round_close,
    round_create,
    round_open,
    round_publish,
    round_recount,
    round_reorder,
    round_schedule,
    round_update,
    session_end,
    session_rotate_presenter_key,
)

__all__ = [
    "BALLOTS_PER_MINUTE",
    "CARDS_PER_CALL",
    "CONTRIBUTIONS_PER_MINUTE",
    "ROUND_FIELDS",
    "ROUND_TEXT_FIELDS",
    "ballot_cast",
    "ballot_enter_paper",
    "ballot_void_paper",
    "cards_generate",
    "comment_hide",
    "comment_restore",
    "comment_submit",
    "flag_resolve",
    "flag_submit",
    "participant_admit",
    "participant_join",
    "participant_new_return_link",
    "participant_refuse",
    "participant_rename",
    "participant_use_card",
    "presence_apply",
    "proposal_edit_title",
    "proposal_hide",
    "proposal_merge",
    "proposal_restore",
    "proposal_submit",
    "proposal_unmerge",
    "round_close",
    "round_create",
    "round_open",
    "round_publish",
    "round_recount",
    "round_reorder",
    "round_schedule",
    "round_update",
    "session_duplicate",
    "session_end",
    "session_rotate_presenter_key",
    "session_set_eligibility",
    "voter_add",
    "voter_remove",
    "voters_set",
]
