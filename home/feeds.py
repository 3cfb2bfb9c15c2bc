"""Atom feeds of a board, in the language of the URL (/en/ or /cy/): its consultations, and what it committed to
with each progress update ("you said, we did"). Entry ids are tag URIs of the site's host and the record's id, so a
feed reader sees an entry once however often the page is published again."""

from datetime import UTC, datetime, time
from urllib.parse import urlsplit

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from home.models import Commitment, CommitmentUpdate, ConsultationPage
from home.views import _board_in_language

ANCHOR = "you-said-we-did"  # the "you said, we did" section of a consultation page (you_said_we_did.html)


class BoardFeed(Feed):
    """What the board's feeds share: the board in the URL's language (404 unless it is a live, public board)."""

    feed_type = Atom1Feed
    url_name = ""

    def get_object(self, request, board_id):
        """The board page, in the active language when it has a live translation in it, carrying the request (one
        Feed instance serves every request: nothing of a request is kept on it)."""
        board = _board_in_language(board_id)
        board.feed_request = request
        return board

    def link(self, board):
        return board.get_full_url(board.feed_request)

    def feed_url(self, board):
        return board.feed_request.build_absolute_uri(reverse(self.url_name, args=[board.pk]))

    def feed_guid(self, board):
        return self.tag(board, f"{self.url_name}:{board.pk}")

    def tag(self, board, name):
        """A tag URI (RFC 4151) on the board's host: stable for the record whatever its page is called."""
        return f"tag:{urlsplit(board.get_full_url(board.feed_request) or 'http://localhost/').hostname},2026:cyd:{name}"

    def item_link(self, item):
        return item["link"]

    def item_title(self, item):
        return item["title"]

    def item_description(self, item):
        return item["summary"]

    def item_guid(self, item):
        return item["id"]

    def item_updateddate(self, item):
        return item["updated"]


class BoardConsultationsFeed(BoardFeed):
    """The board's live, public consultations, most recently published first."""

    url_name = "board_consultations_feed"

    def title(self, board):
        return _("%(board)s: consultations") % {"board": board.title}

    def subtitle(self, board):
        return _("New and changed consultations of %(board)s on Cyd.") % {"board": board.title}

    def items(self, board):
        pages = ConsultationPage.objects.child_of(board).live().public().order_by("-last_published_at", "-pk")
        return [
            {
                "title": page.title,
                "link": page.get_full_url(board.feed_request),
                "summary": format_html("<p>{}</p>", page.intro or page.question),
                "id": self.tag(board, f"consultation:{page.pk}"),
                "updated": page.last_published_at,
            }
            for page in pages
        ]


def _day(value):
    """A progress update's date as the moment the feed says it was updated (midnight UTC)."""
    return datetime.combine(value, time.min, tzinfo=UTC)


class BoardCommitmentsFeed(BoardFeed):
    """What the board committed to after its consultations and each progress update, newest first."""

    url_name = "board_commitments_feed"

    def title(self, board):
        return _("%(board)s: you said, we did") % {"board": board.title}

    def subtitle(self, board):
        return _("What %(board)s committed to after its consultations, and progress on it.") % {"board": board.title}

    def details(self, commitment):
        """The commitment's status and partner, in words, as HTML."""
        partner = commitment.partner.name if commitment.partner else _("The board as a whole")
        rows = [(_("Status"), commitment.get_status_display()), (_("Responsible partner"), partner)]
        if commitment.reason and commitment.status == "not_doing":
            rows.append((_("Why not"), commitment.reason))
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}</li>", rows))

    def items(self, board):
        consultations = ConsultationPage.objects.child_of(board).live().public()
        pages = {page.pk: page for page in consultations}
        commitments = Commitment.objects.filter(page__in=consultations).select_related("partner")
        entries = []
        for commitment in commitments.order_by("pk"):
            page = pages[commitment.page_id]
            said = format_html("<p>{}: {}</p>", _("You said"), commitment.you_said) if commitment.you_said else ""
            entries.append(
                {
                    "title": commitment.title,
                    "link": f"{page.get_full_url(board.feed_request)}#{ANCHOR}",
                    "summary": format_html("{}{}<p>{}</p>", said, self.details(commitment), page.title),
                    "id": self.tag(board, f"commitment:{commitment.pk}"),
                    "updated": page.last_published_at,
                }
            )
        updates = CommitmentUpdate.objects.filter(commitment__page__in=consultations).select_related("commitment__partner")
        for update in updates.order_by("pk"):
            commitment = update.commitment
            page = pages[commitment.page_id]
            entries.append(
                {
                    "title": _("Progress on “%(title)s”") % {"title": commitment.title},
                    "link": f"{page.get_full_url(board.feed_request)}#{ANCHOR}",
                    "summary": format_html("<p>{}</p>{}<p>{}</p>", update.text, self.details(commitment), page.title),
                    "id": self.tag(board, f"update:{update.pk}"),
                    "updated": _day(update.date),
                }
            )
        return sorted(entries, key=lambda entry: (entry["updated"], entry["id"]), reverse=True)
