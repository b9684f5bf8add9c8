# pylint: disable=consider-merging-classes-inherited
# A file of its own beside discuss_channel.py: the feature reads as one piece.
from odoo import Command, fields, models

from .utils import LiveChatRefusal, normalize_visitor_email


class DiscussChannel(models.Model):
    """The transcript of an ended session, emailed to the visitor (on their demand in
    the widget, or by an operator from the session's form) through the host's mail
    queue, with a mail template in the visitor's language."""

    _inherit = "discuss.channel"

    # The transcripts emailed to the visitor, mails of their own (no document): linked
    # here so that erasing or anonymising the visitor removes those the mail queue
    # still holds (waiting, failed, or sent and kept).
    live_chat_transcript_mail_ids = fields.Many2many(
        "mail.mail",
        "live_chat_session_transcript_mail_rel",
        "session_id",
        "mail_id",
        "Transcripts Emailed",
        readonly=True,
        copy=False,
        groups="base.group_system",
    )

    def action_live_chat_send_transcript(self):
        """The session form's "Send Transcript": a small form for the address."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Transcript"),
            "res_model": "live_chat.transcript.send",
            "view_mode": "form",
            "target": "new",
            "context": {"default_session_id": self.id},
        }

    def _live_chat_send_transcript(self, email):
        """Queue the transcript of this ended session to ``email`` (as typed by the
        visitor or the operator). Returns the ``mail.mail``; refuses a session that has
        not ended and an address that the host would not take."""
        self.ensure_one()
        if not self.live_chat_channel_id:
            raise LiveChatRefusal(self.env._("This is not a live chat session."), "not_found", 404)
        if self.live_chat_state != "closed":
            raise LiveChatRefusal(
                self.env._("The conversation can be sent once the chat has ended."),
                "session_open",
            )
        normalized = normalize_visitor_email(email)
        if not normalized:
            raise LiveChatRefusal(
                self.env._("Please enter a valid email address."), "bad_email", 422
            )
        template = self.env.ref(
            "live_chat.mail_template_live_chat_transcript", raise_if_not_found=False
        )
        if not template:  # an administrator deleted it (Technical > Email Templates)
            raise LiveChatRefusal(
                self.env._(
                    "The conversation cannot be sent: its email template was deleted. "
                    "Updating the Live Chat app brings it back."
                ),
                "no_template",
                status=503,
            )
        mail_id = template.with_context(
            tz=self.live_chat_visitor_guest_id.timezone
            or self.live_chat_visitor_partner_id.tz
            or self.env.context.get("tz")
        ).send_mail(
            self.id,
            force_send=False,
            email_values={
                "email_to": normalized,
                "email_from": self.live_chat_channel_id._live_chat_email_from(),
                "recipient_ids": [],
                # A mail of its own, not a message of the conversation (the operators'
                # thread and the visitor's widget show the session's messages).
                "model": False,
                "res_id": False,
            },
        )
        # sudo: discuss.channel - the link is the suite's bookkeeping for erasure.
        self.sudo().live_chat_transcript_mail_ids = [Command.link(mail_id)]
        return self.env["mail.mail"].browse(mail_id)
