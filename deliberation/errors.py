"""The errors services raise: a stable code for clients and a translated message for people."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "bad_frame": _("That message could not be read."),
    "too_large": _("That message is too large."),
    "unknown_type": _("That action is not known."),
    "invalid": _("Some of what you sent is not valid."),
    "forbidden": _("You do not have permission to do that."),
    "not_joined": _("Join the session first."),
    "not_found": _("That could not be found in this session."),
    "wrong_round": _("That cannot be done in this round."),
    "wrong_state": _("That cannot be done now: the round is not in the right state."),
    "round_not_open": _("This round is not open."),
    "time_up": _("Time is up for this round."),
    "another_round_open": _("Close the open round first."),
    "limit_reached": _("You have reached the limit for this round."),
    "rate_limited": _("You are sending too fast. Wait a moment and try again."),
    "server_error": _("Something went wrong on our side. Try again: nothing is recorded twice."),
    "too_few_proposals": _("A vote needs at least two proposals on the ballot."),
    "session_ended": _("This session has ended: it takes no more proposals, comments, ballots or reports."),
    "count_failed": _("The count failed: count again with another method before publishing."),
    "eligibility_locked": _("Who may vote cannot change while a vote is open or once ballots have been cast."),
    "no_card": _("You need a voting card to vote in this session."),
    "not_on_list": _("Only people on this session's list may take part. Ask the facilitator to add you."),
    "not_admitted": _("The facilitator has not admitted you yet."),
    "sign_in_required": _("Sign in to take part in this session."),
    "card_used": _("This voting card has already been used."),
    "card_unknown": _("No voting card of this session has that code. Check it against your card and try again."),
    "card_throttled": _(
        "Too many card codes that match no card were tried from your connection. Wait ten minutes, then try again."
    ),
    "card_held": _("You already hold a voting card in this session."),
    "join_throttled": _("Too many people joined from your device or connection just now. Wait a few minutes, then try again."),
    "admission_throttled": _(
        "Too many requests to join are waiting from your connection. Wait until the facilitator has answered them."
    ),
    "double_entry_mismatch": _("The two typings of the paper slips differ: check every difference before publishing."),
}


class ServiceError(Exception):
    """A refused action: nothing was changed."""

    def __init__(self, code, message=None):
        super().__init__(code)
        self.code = code
        self.message = message if message is not None else MESSAGES.get(code, MESSAGES["invalid"])

    def as_reply(self, ref):
        """The protocol's error reply."""
        return {"type": "error", "ref": ref, "code": self.code, "message": str(self.message)}
