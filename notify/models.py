"""Who follows what by e-mail, what they are owed, and what has already been announced."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

EMAIL_MAX = 254  # RFC 5321's limit on a path, which Django's EmailField uses too


def new_token():
    """A secret for the links in a follower's e-mails (the "your notifications" page, unsubscribe)."""
    return secrets.token_urlsafe(32)


class Follower(models.Model):
    """One e-mail address, the language it is written to in (asked once), and its state."""

    email = models.EmailField(_("email address"), max_length=EMAIL_MAX)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    # The confirmation link carries this nonce: a used or superseded link no longer matches (no replay).
    confirm_nonce = models.CharField(max_length=32, blank=True, editable=False)
    confirm_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    unsubscribed_at = models.DateTimeField(null=True, blank=True, editable=False)
    bounced_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The digest: when the next one is due (None: nothing waiting) and when the last one went.
    digest_due_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    last_mail_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [models.UniqueConstraint(Lower("email"), name="notify_one_follower_per_address")]

    def __str__(self):
        return f"follower #{self.pk}"  # never the address: logs and admin lists stay free of it

    @property
    def reachable(self):
        """Confirmed once, and neither unsubscribed nor bouncing: may be written to."""
        return self.confirmed_at is not None and self.unsubscribed_at is None and self.bounced_at is None


class Follow(models.Model):
    """A follower follows one consultation (all its translations, by translation_key) or one live session."""

    follower = models.ForeignKey(Follower, on_delete=models.CASCADE, related_name="follows")
    consultation_key = models.UUIDField(null=True, blank=True)  # home.ConsultationPage.translation_key
    session = models.ForeignKey(
        "deliberation.LiveSession", null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(consultation_key__isnull=True, session__isnull=False)
                | Q(consultation_key__isnull=False, session__isnull=True),
                name="notify_follow_one_target",
            ),
            models.UniqueConstraint(
                fields=["follower", "consultation_key"],
                condition=Q(consultation_key__isnull=False),
                name="notify_follow_consultation_once",
            ),
            models.UniqueConstraint(
                fields=["follower", "session"], condition=Q(session__isnull=False), name="notify_follow_session_once"
            ),
        ]

    def __str__(self):
        return f"follow #{self.pk}"


class FollowParticipant(models.Model):
    """A follower is this participant of a session (they gave their address from the session page): reminders
    skip the rounds they have already taken part in."""

    follower = models.ForeignKey(Follower, on_delete=models.CASCADE, related_name="participants")
    participant = models.ForeignKey("deliberation.Participant", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["follower", "participant"], name="notify_follower_participant_once")]

    def __str__(self):
        return f"follower #{self.follower_id} is participant #{self.participant_id}"


class Notice(models.Model):
    """One thing a follower is owed, waiting for their next digest (`sent_at` None) or already sent."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Round opened")
        REMINDER = "reminder", _("Round closing soon")
        PUBLISHED = "published", _("Results published")
        COMMITMENT = "commitment", _("New commitment")
        UPDATE = "update", _("Progress update")

    follower = models.ForeignKey(Follower, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    key = models.CharField(max_length=64)  # "<kind>:<id>": one notice per follower and thing, however often announced
    round = models.ForeignKey("deliberation.Round", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    commitment = models.ForeignKey("home.Commitment", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    update = models.ForeignKey("home.CommitmentUpdate", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    dropped = models.BooleanField(default=False)  # no longer true when the digest went (round closed, already voted)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["follower", "key"], name="notify_notice_once")]
        indexes = [models.Index(fields=["follower", "sent_at"])]

    def __str__(self):
        return f"{self.key} for follower #{self.follower_id}"


class RoundReminder(models.Model):
    """The reminders before this round closes have been handed out (the tick does it once per round)."""

    round = models.OneToOneField("deliberation.Round", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"reminders of round #{self.round_id}"


class KnownItem(models.Model):
    """A commitment or progress update already seen on a published page: only ones not known yet are news."""

    kind = models.CharField(max_length=12)  # "commitment" or "update"
    item_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "item_id"], name="notify_known_item_once")]

    def __str__(self):
        return f"{self.kind} #{self.item_id}"
