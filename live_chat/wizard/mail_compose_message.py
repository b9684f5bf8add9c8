from odoo import models
from odoo.exceptions import AccessError


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _action_send_mail_mass_mail(self, res_ids, auto_commit=False):
        # The host's mass mailing writes its mails (and their messages) on the records
        # in sudo, under any author: on a session, a message that no check of a post
        # saw. A session's messages are posted in the chat (comment mode included).
        if (
            self.model == "discuss.channel"
            and not self.env.su
            and self.env["discuss.channel"]._live_chat_sessions_of(res_ids)
        ):
            raise AccessError(self.env._("A chat's messages are written in the chat."))
        return super()._action_send_mail_mass_mail(res_ids, auto_commit=auto_commit)
