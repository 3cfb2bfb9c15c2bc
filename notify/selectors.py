"""Every read of notifications: who follows what, who took part, what is still worth telling."""

from django.db.models import Q

from notify.models import Follower, Notice


def reachable_followers():
    """Followers who confirmed their address and have not unsubscribed or bounced."""
    return Follower.objects.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True, bounced_at__isnull=True)


def _confirmed_by(before):
    """A follow confirmed (by `before`, when given: news from before someone followed is not theirs)."""
    return Q(follows__confirmed_at__lte=before) if before is not None else Q(follows__confirmed_at__isnull=False)


def followers_of_session(session, before=None):
    """Reachable followers with a confirmed follow of the session or of its consultation (in any language)."""
    follows = Q(follows__session=session)
    consultation = session.consultation
    if consultation is not None:
        follows |= Q(follows__consultation_key=consultation.translation_key)
    return list(reachable_followers().filter(follows & _confirmed_by(before)).distinct())


def followers_for_page_language(page, before=None):
    """Reachable followers of a consultation, or of one of its sessions (a session's follow form promises the
    board's progress too), who read `page`'s language, or whose language has no live page."""
    from home.models import ConsultationPage

    languages = set(
        ConsultationPage.objects.filter(translation_key=page.translation_key, live=True).values_list(
            "locale__language_code", flat=True
        )
    )
    key = page.translation_key
    follows = Q(follows__consultation_key=key) | Q(follows__session__consultation__translation_key=key)
    followers = reachable_followers().filter(follows & _confirmed_by(before))
    own = page.locale.language_code
    return list(followers.filter(Q(language=own) | ~Q(language__in=languages - {own})).distinct())


def followers_who_took_part(round_, follower_ids):
    """The ids (of `follower_ids`) whose linked participant proposed, commented or voted in `round_`."""
    from deliberation.models import Ballot, Comment, Proposal

    by_participant = {}
    from notify.models import FollowParticipant

    links = FollowParticipant.objects.filter(follower_id__in=follower_ids, participant__session_id=round_.session_id)
    for follower_id, participant_id in links.values_list("follower_id", "participant_id"):
        by_participant.setdefault(participant_id, set()).add(follower_id)
    if not by_participant:
        return set()
    ids = list(by_participant)
    acted = set(Proposal.objects.filter(round=round_, author_id__in=ids).values_list("author_id", flat=True))
    acted |= set(Comment.objects.filter(round=round_, author_id__in=ids).values_list("author_id", flat=True))
    acted |= set(
        Ballot.objects.filter(round=round_, participant_id__in=ids, voided_at__isnull=True).values_list(
            "participant_id", flat=True
        )
    )
    return {follower_id for participant_id in acted for follower_id in by_participant[participant_id]}


def still_true(follower, notices):
    """The notices still worth sending: a round no longer open is not news of its opening, and a reminder is
    dropped once the round closed or the follower took part (peers remind people who already voted)."""
    from deliberation.models import Round

    kept = []
    for notice in notices:
        if notice.kind in {Notice.Kind.OPENED, Notice.Kind.REMINDER}:
            round_ = notice.round
            if round_ is None or round_.state != Round.State.OPEN:
                continue
            if notice.kind == Notice.Kind.REMINDER and follower.pk in followers_who_took_part(round_, [follower.pk]):
                continue
        kept.append(notice)
    return kept


def follows_of(follower):
    """The follower's follows for the "your notifications" page: (follow, what it is, its page in their language)."""

    rows = []
    for follow in follower.follows.select_related("session").order_by("created_at", "pk"):
        if follow.session is not None:
            rows.append((follow, follow.session, None))
            continue
        page = consultation_page(follow.consultation_key, follower.language)
        rows.append((follow, None, page))
    return rows


def consultation_page(translation_key, language):
    """The consultation's live page in `language`, else in any language (None when it has gone)."""
    from home.models import ConsultationPage

    pages = ConsultationPage.objects.filter(translation_key=translation_key).select_related("locale")
    live = [p for p in pages if p.live]
    return next((p for p in live if p.locale.language_code == language), None) or (live[0] if live else None)
