import re

from odoo import api, fields, models
from odoo.exceptions import UserError

# A guest's credential as the host formats it: "<id>|<access token>".
GUEST_TOKEN_RE = re.compile(r"([0-9]{1,10})\|[A-Za-z0-9_-]{1,64}")


class MailGuest(models.Model):
    _inherit = "mail.guest"

    # The sessions of a live chat visitor: what the guests' access rules know them by
    # (security/live_chat_security.xml: the host lets every employee read every
    # guest, a visitor's name, country, language and time zone).
    live_chat_session_ids = fields.One2many(
        "discuss.channel", "live_chat_visitor_guest_id", "Live Chat Sessions", readonly=True
    )

    @api.model
    def _live_chat_guest_from_token(self, token):
        """The guest of a returning visitor's ``token``, for any string a visitor sends
        (the host's parser raises on what it did not format itself)."""
        match = GUEST_TOKEN_RE.fullmatch(token) if isinstance(token, str) else None
        if not match or int(match[1]) >= 2**31:
            return self.browse()
        return self._get_guest_from_token(token)

    def _update_name(self, name):
        # The operators know a visitor by the name given when the chat started: the
        # host's route that renames a guest cannot turn a visitor into "Support".
        # sudo: discuss.channel - only whether this guest is a live chat visitor.
        sessions = self.env["discuss.channel"].sudo()
        if sessions.search_count([("live_chat_visitor_guest_id", "in", self.ids)], limit=1):
            raise UserError(self.env._("A live chat visitor's name cannot be changed."))
        return super()._update_name(name)
