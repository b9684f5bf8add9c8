from odoo import models
from odoo.exceptions import UserError


class MailGuest(models.Model):
    _inherit = "mail.guest"

    def _update_name(self, name):
        # The operators know a visitor by the name given when the chat started: the
        # host's route that renames a guest cannot turn a visitor into "Support".
        # sudo: discuss.channel - only whether this guest is a live chat visitor.
        sessions = self.env["discuss.channel"].sudo()
        if sessions.search_count([("live_chat_visitor_guest_id", "in", self.ids)], limit=1):
            raise UserError(self.env._("A live chat visitor's name cannot be changed."))
        return super()._update_name(name)
