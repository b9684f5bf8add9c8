from odoo import fields, models


class WebsiteVisitor(models.Model):
    _inherit = "website.visitor"

    live_chat_session_ids = fields.One2many(
        "discuss.channel", "live_chat_website_visitor_id", "Live Chat Sessions", readonly=True
    )

    def _merge_visitor(self, target):
        """A visitor who logs in becomes their contact's visitor: so do their sessions."""
        # sudo: discuss.channel - the host merges visitors as the visitor who logs in.
        self.sudo().live_chat_session_ids.live_chat_website_visitor_id = target
        return super()._merge_visitor(target)
