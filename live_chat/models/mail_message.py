from odoo import api, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    def _get_with_access(self, message_id, mode="read", **kwargs):
        """The host's message routes (reactions, edits, link previews) are closed to a
        visitor on their session's messages, even their own: the suite's API is theirs."""
        message = super()._get_with_access(message_id, mode=mode, **kwargs)
        # sudo: mail.message, discuss.channel - only where the message was posted.
        message_su = message.sudo()
        if message and message_su.model == "discuss.channel":
            session = self.env["discuss.channel"].sudo().browse(message_su.res_id)
            if session.channel_type == "live_chat" and session._live_chat_is_visitor():
                return self.browse()
        return message
