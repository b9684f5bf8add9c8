from urllib.parse import urlsplit

from markupsafe import Markup

from odoo import fields, models

from odoo.addons.mail.tools.discuss import Store

# The most visited pages shown to an operator, the latest ones.
VISITED_PAGES_LIMIT = 20


class DiscussChannel(models.Model):
    _inherit = "discuss.channel"

    live_chat_website_id = fields.Many2one(
        "website", "Website", readonly=True, ondelete="set null", index="btree_not_null"
    )
    live_chat_website_visitor_id = fields.Many2one(
        "website.visitor",
        "Website Visitor",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
    )
    live_chat_website_visitor_name = fields.Char(
        "Logged in as",
        compute="_compute_live_chat_website_visitor",
        help="The contact of the website visitor, once they are logged in.",
    )
    live_chat_visited_pages = fields.Html(
        "Visited Pages",
        compute="_compute_live_chat_website_visitor",
        sanitize=False,
        help="The website pages the visitor viewed, the latest last.",
    )

    def _compute_live_chat_website_visitor(self):
        for session in self:
            # sudo: website.visitor - whoever reads a session sees its visitor's name and
            # pages; the host keeps visitors to website designers.
            visitor = session.sudo().live_chat_website_visitor_id
            session.live_chat_website_visitor_name = visitor.partner_id.name or False
            tracks = session._live_chat_website_tracks()
            session.live_chat_visited_pages = (
                Markup('<ol class="o_live_chat_visited_pages mb-0">%s</ol>')
                % Markup("").join(
                    Markup(
                        '<li><small class="text-muted">%s</small> '
                        '<a href="%s" target="_blank" rel="noopener noreferrer">%s</a></li>'
                    )
                    % (
                        fields.Datetime.context_timestamp(self, track.visit_datetime).strftime(
                            "%Y-%m-%d %H:%M"
                        ),
                        track.url,
                        _page_name(track),
                    )
                    for track in tracks
                )
                if tracks
                else False
            )

    def _live_chat_website_tracks(self):
        """The page views of the session's website visitor, oldest first (in sudo)."""
        self.ensure_one()
        # sudo: website.track - read for the visitor of this session only.
        visitor = self.sudo().live_chat_website_visitor_id
        if not visitor:
            return self.env["website.track"].sudo()
        tracks = (
            self.env["website.track"]
            .sudo()
            .search(
                [("visitor_id", "=", visitor.id), ("url", "!=", False)],
                order="visit_datetime desc, id desc",
                limit=VISITED_PAGES_LIMIT,
            )
        )
        return tracks[::-1]

    def _live_chat_website_pages(self):
        """The pages of ``_live_chat_website_tracks``: name, url and date (UTC) of each."""
        self.ensure_one()
        return [
            {
                "name": _page_name(track),
                "url": track.url,
                "date": fields.Datetime.to_string(track.visit_datetime),
            }
            for track in self._live_chat_website_tracks()
        ]

    def _to_store_defaults(self, target: Store.Target):
        res = super()._to_store_defaults(target)
        if target.is_internal(self.env):
            res += [
                Store.Attr(
                    "live_chat_website_name",
                    lambda session: session.sudo().live_chat_website_id.name or False,
                    predicate=_is_website_session,
                ),
                Store.Attr(
                    "live_chat_website_visitor_name",
                    predicate=_is_website_session,
                    sudo=True,
                ),
                Store.Attr(
                    "live_chat_website_pages",
                    lambda session: session._live_chat_website_pages(),
                    predicate=_is_website_session,
                ),
            ]
        return res

    # ------------------------------------------------------------
    # Privacy
    # ------------------------------------------------------------

    def _live_chat_visitor_sessions(self):
        """The sessions of the same website visitor (one browser, or one logged-in
        contact) are the same visitor's too."""
        sessions = super()._live_chat_visitor_sessions()
        visitors = sessions.live_chat_website_visitor_id
        if not visitors:
            return sessions
        return sessions | self.with_context(active_test=False).search(
            [("live_chat_website_visitor_id", "in", visitors.ids)]
        )

    def _live_chat_anonymize_values(self):
        # The website visitor is who visited which pages.
        return {**super()._live_chat_anonymize_values(), "live_chat_website_visitor_id": False}

    def _live_chat_anonymize(self, transcript, erase=False):
        """An erased visitor's anonymous website visitor goes too (the pages they visited):
        a contact's website visitor stays with the contact."""
        visitors = self.live_chat_website_visitor_id.filtered(lambda v: not v.partner_id)
        sessions = super()._live_chat_anonymize(transcript, erase=erase)
        if erase:
            visitors.filtered(lambda v: not v.live_chat_session_ids).unlink()
        return sessions


def _page_name(track):
    return track.page_id.name or urlsplit(track.url).path or track.url


def _is_website_session(session):
    # sudo: discuss.channel - whether a session comes from a website, for its members.
    return bool(session.sudo().live_chat_website_visitor_id)
