from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.utils import LiveChatRefusal


class LiveChatTranscriptSend(models.TransientModel):
    """An operator emails the transcript of an ended session (to the visitor's
    address when known, or any address they type)."""

    _name = "live_chat.transcript.send"
    _description = "Send a Live Chat Transcript"

    session_id = fields.Many2one(
        "discuss.channel", required=True, readonly=True, ondelete="cascade"
    )
    email = fields.Char(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        session = self.env["discuss.channel"].browse(values.get("session_id"))
        if session and "email" in fields_list and not values.get("email"):
            values["email"] = session.live_chat_visitor_partner_id.email or False
        return values

    def action_send(self):
        self.ensure_one()
        session = self.session_id
        if not self.env.user.has_group("live_chat.live_chat_group_user"):
            raise UserError(self.env._("Only live chat operators can send a transcript."))
        session.check_access("read")
        try:
            # sudo: discuss.channel - an operator who may read the session (checked just
            # above) sends its transcript; the host's template renders and queues it.
            session.sudo()._live_chat_send_transcript(self.email)
        except LiveChatRefusal as refusal:
            raise UserError(refusal.args[0]) from None
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("The transcript is on its way to %s.", self.email.strip()),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
