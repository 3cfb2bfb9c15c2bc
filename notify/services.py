"""Every state change of notifications: following, confirming, leaving, and handing out what followers are owed.

The digest rule (docs/notifications.md): what a follower is owed waits as `Notice` rows. The first one starts
a digest due `GATHER` later (so a burst, such as a session opening several rounds, goes as one e-mail), but no
sooner than `GAP` (a day) after their last e-mail, so several things in a day are one e-mail. A reminder
before a round closes does not wait for the day: it is due `GATHER` after it is handed out.
"""

import logging
import secrets
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Value
from django.utils import timezone

from notify import selectors
from notify.models import Follow, Follower, FollowParticipant, KnownItem, Notice, RoundReminder

logger = logging.getLogger(__name__)

CONFIRM_SALT = "notify.confirm"
CONFIRM_MAX_AGE = 3 * 24 * 3600  # seconds a confirmation link works
CONFIRM_RESEND = timedelta(minutes=15)  # no second confirmation e-mail to one address sooner than this
GAP = timedelta(hours=24)
REMINDER_BEFORE = timedelta(hours=24)
REMINDER_MIN_LENGTH = timedelta(days=2)  # shorter rounds get no reminder: people came when it opened
RETRY_AFTER = timedelta(minutes=10)  # a digest the mail server refused is tried again this much later


def gather():
    """How long the first notice waits for others before its digest goes (settings.CYD_NOTIFY_GATHER_SECONDS)."""
    return timedelta(seconds=getattr(settings, "CYD_NOTIFY_GATHER_SECONDS", 600))


# --- Following -----------------------------------------------------------------------------------


class Target:
    """What a follow form names: a consultation (by translation_key, any language's page) or a live session."""

    def __init__(self, *, consultation=None, session=None):
        self.consultation = consultation
        self.session = session

    @property
    def follow_fields(self):
        """The Follow fields naming this target."""
        if self.session is not None:
            return {"session": self.session}
        return {"consultation_key": self.consultation.translation_key}


def follow_request(*, email, language, target, participant=None, now=None):
    """Ask to follow `target` with `email`: record the follow (once), then send a confirmation unless one went
    to this address within CONFIRM_RESEND or the follow is confirmed already. Returns the follower."""
    now = now or timezone.now()
    with transaction.atomic():
        follower = Follower.objects.select_for_update().filter(email__iexact=email).first()
        if follower is None:
            try:
                with transaction.atomic():
                    follower = Follower.objects.create(email=email, language=language)
            except IntegrityError:  # the same address asked twice at the same moment
                follower = Follower.objects.select_for_update().get(email__iexact=email)
        elif follower.confirmed_at is None:
            follower.language = language  # nobody has proven the address yet: the latest choice stands
            follower.save(update_fields=["language"])
        # A confirmed follower keeps the language they chose (changed from the "your notifications" page).
        follow, _created = Follow.objects.get_or_create(follower=follower, **target.follow_fields)
        if participant is not None:
            FollowParticipant.objects.get_or_create(follower=follower, participant=participant)
        if follow.confirmed_at is not None and follower.reachable:
            return follower  # nothing to confirm: no mail (the answer page is the same, so it reveals nothing)
        recent = follower.confirm_sent_at is not None and now - follower.confirm_sent_at < CONFIRM_RESEND
        if recent and follower.confirm_nonce:
            return follower  # the link sent a moment ago confirms this follow too
        follower.confirm_nonce = secrets.token_urlsafe(16)
        follower.confirm_sent_at = now
        follower.save(update_fields=["confirm_nonce", "confirm_sent_at"])
        from notify import tasks

        link = confirm_link_value(follower)
        transaction.on_commit(lambda: tasks.send_confirmation.enqueue(follower.pk, link), robust=True)
    return follower


def confirm_link_value(follower):
    """The signed, expiring value of a confirmation link: the follower and its current nonce."""
    return signing.dumps([follower.pk, follower.confirm_nonce], salt=CONFIRM_SALT, compress=True)


class ConfirmError(Exception):
    """A confirmation link that cannot be used; `code` is "tampered", "expired" or "used"."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


@transaction.atomic
def confirm(value, now=None):
    """Confirm the follower and the follows a confirmation link is for; a tampered, expired or used link changes
    nothing (ConfirmError). Returns the follower."""
    now = now or timezone.now()
    try:
        follower_id, nonce = signing.loads(value, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ConfirmError("expired") from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise ConfirmError("tampered") from exc
    follower = Follower.objects.select_for_update().filter(pk=follower_id).first()
    if follower is None or not nonce or not secrets.compare_digest(str(nonce), follower.confirm_nonce):
        raise ConfirmError("used")
    follower.confirm_nonce = ""
    follower.confirmed_at = follower.confirmed_at or now
    follower.unsubscribed_at = None  # asking again, and confirming, undoes an earlier unsubscribe
    follower.bounced_at = None  # ... and a bounce: the address works again, the confirmation reached it
    follower.save(update_fields=["confirm_nonce", "confirmed_at", "unsubscribed_at", "bounced_at"])
    pending = follower.follows.filter(confirmed_at__isnull=True)
    for follow in pending.filter(consultation_key__isnull=False):
        know_consultation(follow.consultation_key)
    pending.update(confirmed_at=now)
    return follower


@transaction.atomic
def unfollow(follower, follow_id):
    """Stop following one thing (nothing happens for a follow that is not the follower's)."""
    follower.follows.filter(pk=follow_id).delete()


@transaction.atomic
def unsubscribe(follower, now=None):
    """Stop every e-mail to this address: its follows and waiting notices go; idempotent (RFC 8058 one-click)."""
    follower = Follower.objects.select_for_update().get(pk=follower.pk)
    follower.follows.all().delete()
    follower.notices.filter(sent_at__isnull=True).delete()
    if follower.unsubscribed_at is None:
        follower.unsubscribed_at = now or timezone.now()
    follower.digest_due_at = None
    follower.confirm_nonce = ""
    follower.save(update_fields=["unsubscribed_at", "digest_due_at", "confirm_nonce"])
    return follower


def set_language(follower, language):
    """Write to this follower in `language` from now on."""
    follower.language = language
    follower.save(update_fields=["language"])


def forget(follower):
    """Delete the address and everything about it (its follows, links to participants, notices)."""
    follower.delete()


# --- What followers are owed -----------------------------------------------------------------------


def _owe(followers, kind, key, **about):
    """Record a notice for each follower (once per follower and key) and schedule their digests."""
    followers = list(followers)
    if not followers:
        return 0
    Notice.objects.bulk_create([Notice(follower=f, kind=kind, key=key, **about) for f in followers], ignore_conflicts=True)
    schedule_digests([f.pk for f in followers], urgent=kind == Notice.Kind.REMINDER)
    return len(followers)


def announce_event(event_id):
    """Hand out a round's opening or published results to the followers of its session and consultation."""
    from deliberation.models import Event, Round

    event = Event.objects.filter(pk=event_id).select_related("session").first()
    if event is None:
        return 0
    kind = {"round.opened": Notice.Kind.OPENED, "round.published": Notice.Kind.PUBLISHED}.get(event.type)
    round_ = Round.objects.filter(pk=(event.payload.get("round") or {}).get("id"), session=event.session).first()
    if kind is None or round_ is None:
        return 0
    followers = selectors.followers_of_session(event.session, before=event.created_at)
    return _owe(followers, kind, f"{kind}:{round_.pk}", round=round_)


def remind_round(round_id):
    """Hand out the reminder before a round closes to its followers who have not taken part in it."""
    from deliberation.models import Round

    round_ = Round.objects.filter(pk=round_id, state=Round.State.OPEN).select_related("session").first()
    if round_ is None:
        return 0
    followers = selectors.followers_of_session(round_.session)
    took_part = selectors.followers_who_took_part(round_, [f.pk for f in followers])
    waiting = [f for f in followers if f.pk not in took_part]
    return _owe(waiting, Notice.Kind.REMINDER, f"reminder:{round_.pk}", round=round_)


def new_items(page):
    """The commitments and progress updates on a published consultation page not known before; now known."""
    from home.models import Commitment, CommitmentUpdate

    commitments = list(Commitment.objects.filter(page=page).values_list("pk", flat=True))
    updates = list(CommitmentUpdate.objects.filter(commitment__page=page).values_list("pk", flat=True))
    known_c = set(KnownItem.objects.filter(kind="commitment", item_id__in=commitments).values_list("item_id", flat=True))
    known_u = set(KnownItem.objects.filter(kind="update", item_id__in=updates).values_list("item_id", flat=True))
    fresh_c = [pk for pk in commitments if pk not in known_c]
    fresh_u = [pk for pk in updates if pk not in known_u]
    KnownItem.objects.bulk_create(
        [KnownItem(kind="commitment", item_id=pk) for pk in fresh_c] + [KnownItem(kind="update", item_id=pk) for pk in fresh_u],
        ignore_conflicts=True,
    )
    return fresh_c, fresh_u


def know_consultation(translation_key):
    """Mark every commitment and update of a consultation (all languages) as known: a new follower is told only
    about what comes after, never about old news a page happened to hold before notifications existed."""
    from home.models import ConsultationPage

    for page in ConsultationPage.objects.filter(translation_key=translation_key):
        new_items(page)


def announce_items(page_id, commitment_ids, update_ids, published_at=None):
    """Hand out new commitments and progress updates of a published consultation page to its followers who read
    that page's language (or who have no live page in their own)."""
    from home.models import Commitment, CommitmentUpdate, ConsultationPage

    page = ConsultationPage.objects.filter(pk=page_id).select_related("locale").first()
    if page is None:
        return 0
    when = datetime.fromisoformat(published_at) if published_at else None
    followers = selectors.followers_for_page_language(page, before=when)
    count = 0
    for commitment in Commitment.objects.filter(pk__in=commitment_ids, page=page):
        count += _owe(followers, Notice.Kind.COMMITMENT, f"commitment:{commitment.pk}", commitment=commitment)
    for update in CommitmentUpdate.objects.filter(pk__in=update_ids, commitment__page=page).select_related("commitment"):
        count += _owe(followers, Notice.Kind.UPDATE, f"update:{update.pk}", update=update, commitment=update.commitment)
    return count


def schedule_digests(follower_ids, urgent=False, now=None):
    """Make sure each follower's digest is due by the rule in the module docstring (enqueue a task when sooner)."""
    from notify import tasks

    now = now or timezone.now()
    for follower in Follower.objects.filter(pk__in=follower_ids):
        due = now + gather()
        if not urgent and follower.last_mail_at is not None:
            due = max(due, follower.last_mail_at + GAP)
        if follower.digest_due_at is not None and follower.digest_due_at <= due:
            continue  # one is due sooner already, and will carry this notice too
        with transaction.atomic():  # the due time and its task commit together: never a due digest with no task
            Follower.objects.filter(pk=follower.pk).update(digest_due_at=due)
            tasks.send_digest.using(run_after=due).enqueue(follower.pk)


def _refused_for_good(error):
    """Whether the SMTP server refused the recipient permanently (every code 5xx), not for now (4xx) or by failing."""
    if not isinstance(error, smtplib.SMTPRecipientsRefused) or not error.recipients:
        return False
    return all(code >= 500 for code, _message in error.recipients.values())


def send_digest(follower_id, now=None):
    """Send a follower's waiting notices as one e-mail, if their digest is due; a task for a digest since moved
    does nothing. Returns the number of notices sent.

    The notices are marked sent in the transaction that holds the follower's row, only after the mail server has
    accepted the message: a worker killed before that leaves everything as it was (the transaction rolls back), and
    `requeue_abandoned` runs the task again. The one duplicate possible is a message accepted but not yet recorded."""
    from notify import mail, tasks

    now = now or timezone.now()
    with transaction.atomic():
        follower = Follower.objects.select_for_update().filter(pk=follower_id).first()
        if follower is None or follower.digest_due_at is None or follower.digest_due_at > now + timedelta(seconds=1):
            return 0
        follower.digest_due_at = None
        follower.save(update_fields=["digest_due_at"])
        if not follower.reachable:
            return 0
        notices = list(follower.notices.filter(sent_at__isnull=True, dropped=False).order_by("created_at", "pk"))
        still_true = selectors.still_true(follower, notices)
        Notice.objects.filter(pk__in=[n.pk for n in notices if n not in still_true]).update(dropped=True)
        if not still_true:
            return 0
        try:
            mail.digest(follower, still_true).send()
        except Exception as error:  # noqa: BLE001 - the mail server refused or is down: they wait, and it is tried later
            if _refused_for_good(error):
                # A permanent refusal (5xx: no such mailbox): the address bounces. Nothing more goes to it until the
                # person gives it again and confirms it (confirm clears the mark).
                logger.warning("follower %s's address was refused permanently; no more mail", follower.pk)
                Follower.objects.filter(pk=follower.pk).update(bounced_at=timezone.now())
                Notice.objects.filter(pk__in=[n.pk for n in still_true]).update(dropped=True)
                return 0
            logger.warning("digest to follower %s not sent; retrying later", follower.pk, exc_info=True)
            retry_at = timezone.now() + RETRY_AFTER
            Follower.objects.filter(pk=follower.pk).update(digest_due_at=retry_at)
            tasks.send_digest.using(run_after=retry_at).enqueue(follower.pk)
            return 0
        Notice.objects.filter(pk__in=[n.pk for n in still_true]).update(sent_at=now)
        follower.last_mail_at = now
        follower.save(update_fields=["last_mail_at"])
    return len(still_true)


def abandoned_after():
    """How long a notification task may stay RUNNING before its worker counts as dead
    (settings.CYD_NOTIFY_ABANDONED_SECONDS): far longer than a task takes, its SMTP and lock timeouts included."""
    return timedelta(seconds=getattr(settings, "CYD_NOTIFY_ABANDONED_SECONDS", 300))


def requeue_abandoned(now=None):
    """Run again the notification tasks a worker took and never finished (killed mid-task: the queue leaves them
    RUNNING for ever): each is marked FAILED and the same task queued anew. Every notify task may run twice: a
    digest already recorded as sent, or a notice already handed out, is not sent or handed out again.
    Returns how many were queued again."""
    from django.utils.module_loading import import_string
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    stale = DBTaskResult.objects.running().filter(
        backend_name="cyd", task_path__startswith="notify.tasks.", started_at__lt=now - abandoned_after()
    )
    requeued = 0
    for result in stale:
        with transaction.atomic():
            taken = DBTaskResult.objects.filter(pk=result.pk, status=result.status, started_at=result.started_at).update(
                status="FAILED",
                finished_at=now,
                exception_class_path="notify.services.WorkerGone",
                traceback=f"No worker finished this task within {abandoned_after()}; queued again.",
            )
            if taken:  # the queue is in the same database: marking it and queueing again commit together
                args = result.args_kwargs
                import_string(result.task_path).enqueue(*args.get("args", []), **args.get("kwargs", {}))
                requeued += 1
    if requeued:
        logger.warning("%s notification tasks left running by a stopped worker queued again", requeued)
    return requeued


def tick(now=None):
    """The periodic look at the clock (called every second by `cyd_worker`): hand out the reminders due for open
    rounds longer than REMINDER_MIN_LENGTH, REMINDER_BEFORE their close, once per round, and queue again the tasks a
    stopped worker left unfinished (`requeue_abandoned`). Returns the round ids of the reminders."""
    from deliberation.models import Round
    from notify import tasks

    now = now or timezone.now()
    requeue_abandoned(now)
    due = (
        Round.objects.filter(state=Round.State.OPEN, closes_at__gt=now, closes_at__lte=now + REMINDER_BEFORE)
        .exclude(opened_at__isnull=True)
        .filter(closes_at__gte=_opened_plus(REMINDER_MIN_LENGTH))
        .exclude(pk__in=RoundReminder.objects.values("round_id"))
        .values_list("pk", flat=True)
    )
    handed = []
    for round_id in list(due):
        with transaction.atomic():
            _reminder, created = RoundReminder.objects.get_or_create(round_id=round_id)
            if created:  # the queue is in the same database: the task and the record commit together
                tasks.remind_round.enqueue(round_id)
                handed.append(round_id)
    return handed


def _opened_plus(delta):
    """opened_at + delta, as a database expression."""
    return ExpressionWrapper(F("opened_at") + Value(delta), output_field=DateTimeField())
