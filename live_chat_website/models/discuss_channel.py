from urllib.parse import urlsplit

from odoo import api, fields, models

from odoo.addons.live_chat.models.utils import clean_page_url
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

    @api.depends_context("uid")
    def _compute_live_chat_website_visitor(self):
        for session in self:
            # sudo: website.visitor - whoever reads a session sees the name of its
            # visitor's contact (who they chat with); not their pages, see below.
            visitor = session.sudo().live_chat_website_visitor_id
            session.live_chat_website_visitor_name = visitor.partner_id.name or False
            pages = session._live_chat_website_pages()
            session.live_chat_visited_pages = (
                session._live_chat_pages_html(pages) if pages else False
            )

    def _live_chat_website_can_see_pages(self, user=None):
        """Whether ``user`` (the current one by default) may see the pages the
        session's visitor viewed: their browsing history is the website's visitor
        tracking, for those who may read it (the host: website designers and
        administrators)."""
        env = self.env(user=user) if user else self.env
        return env["website.visitor"].has_access("read") and env["website.track"].has_access("read")

    def _live_chat_website_pages(self, user=None):
        """The pages the session's website visitor viewed, the latest ones, oldest
        first: name, url (a safe link target) and date (UTC) of each. Nothing for a
        user (the current one by default) who may not read the website's tracking."""
        self.ensure_one()
        # sudo: discuss.channel - which website visitor, and the channel's query string
        # option; their pages are read with the user's rights, checked below.
        visitor_id = self.sudo().live_chat_website_visitor_id.id
        if not visitor_id or not self._live_chat_website_can_see_pages(user):
            return []
        env = self.env(user=user) if user else self.env
        # With the user's own rights, checked just above.
        tracks = env["website.track"].search(
            [("visitor_id", "=", visitor_id), ("url", "!=", False)],
            order="visit_datetime desc, id desc",
            limit=VISITED_PAGES_LIMIT,
        )
        keep_query = self.sudo().live_chat_channel_id.keep_url_query
        pages = []
        for track in tracks[::-1]:
            url = clean_page_url(track.url, keep_query=keep_query)
            if url:
                pages.append(
                    {
                        "name": _page_name(track, url),
                        "url": url,
                        "date": fields.Datetime.to_string(track.visit_datetime),
                    }
                )
        return pages

    def _to_store_defaults(self, target: Store.Target):
        res = super()._to_store_defaults(target)
        if target.is_internal(self.env):
            # The pages are shown to the user who receives them, if they may see them.
            user = target.get_user(self.env)
            res += [
                Store.Attr(
                    "live_chat_website_name",
                    # sudo: website - the name of the session's website, for its members.
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
                    lambda session: session._live_chat_website_pages(user),
                    predicate=_is_website_session,
                ),
            ]
        return res

    def _live_chat_visited_pages(self):
        """The website knows the pages its visitors saw (for the users who may read
        its visitor tracking)."""
        if not _is_website_session(self) or not self._live_chat_website_can_see_pages():
            return super()._live_chat_visited_pages()
        return self._live_chat_website_pages()

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


def _page_name(track, url):
    # sudo: website.page - the name of a page whose visit the user may see.
    return track.sudo().page_id.name or urlsplit(url).path


def _is_website_session(session):
    # sudo: discuss.channel - whether a session comes from a website, for its members.
    return bool(session.sudo().live_chat_website_visitor_id)
