from odoo import models
from odoo.http import request

from odoo.addons.live_chat.models.utils import is_same_origin_request


class LiveChatChannel(models.Model):
    _inherit = "live_chat.channel"

    def _prepare_session_origin_values(self):
        """A session started from a page of an Odoo website: the website's visitor
        (who visited which pages) and the website. The host finds the visitor from the
        request (session cookie, or the logged-in user): taken only from the server's
        own pages, never from a page of another site that makes the browser send the
        cookie."""
        values = super()._prepare_session_origin_values()
        if not request:
            return values
        if not is_same_origin_request(self.env, request.httprequest):
            return values
        visitor = self.env["website.visitor"]._get_visitor_from_request()
        if visitor:
            values["live_chat_website_visitor_id"] = visitor.id
            values["live_chat_website_id"] = (
                self.env["website"].get_current_website().id or visitor.website_id.id
            )
        return values
