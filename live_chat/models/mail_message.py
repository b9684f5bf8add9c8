from odoo import api, models
from odoo.exceptions import AccessError

from .discuss_channel_post import POSTED_VALUES_KEY


class MailMessage(models.Model):
    _inherit = "mail.message"

    # ------------------------------------------------------------
    # A session's messages: through the suite and the host's routes only
    # ------------------------------------------------------------
    # The host lets whoever reads a channel create a message on it, and a message's
    # author or the channel's members write or delete it; through the ORM's RPC a
    # Live Chat user (who reads every session) could then add a message under the
    # visitor's name, and an operator rewrite what the visitor said, after the end
    # too. A message of a session is created as a post of the session (checked as
    # one), and changed by the suite's code and the host's edit route (in sudo, after
    # the session's own check) only.

    @api.model_create_multi
    def create(self, vals_list):
        messages = super().create(vals_list)
        if not self.env.su:
            # The messages' values, whatever gave them (the values, the context's or
            # the user's defaults).
            # sudo: mail.message - where the messages were posted, and by whom.
            in_channels = messages.sudo().filtered(lambda m: m.model == "discuss.channel")
            sessions = self.env["discuss.channel"]._live_chat_sessions_of(
                in_channels.mapped("res_id")
            )
            for message in in_channels.filtered(lambda m: m.res_id in sessions.ids):
                session = sessions.browse(message.res_id).sudo(False)
                session._live_chat_check_post(
                    message.author_id.id, message.author_guest_id.id, message.message_type
                )
        return messages

    def write(self, vals):
        self._live_chat_check_unchanged()
        return super().write(vals)

    def unlink(self):
        # An administrator (Settings) may delete a message (abuse, a leaked secret).
        if not self.env.is_system():
            self._live_chat_check_unchanged()
        return super().unlink()

    def _live_chat_check_unchanged(self):
        """Refuse to change or delete messages of a live chat session outside the
        suite's code and the host's edit route (sudo)."""
        if self.env.su:
            return
        # sudo: mail.message - where the messages were posted.
        if self.env["discuss.channel"]._live_chat_sessions_of(
            message.res_id for message in self.sudo() if message.model == "discuss.channel"
        ):
            raise AccessError(
                self.env._("A message in a chat is changed from the chat window only.")
            )

    @api.model
    def _get_with_access(self, message_id, mode="read", **kwargs):
        """The host's message routes (reactions, edits, link previews) are closed to a
        visitor on their session's messages, even their own: the suite's API is theirs.
        Those that change a message (a reaction, which the visitor sees) are for the
        users who work the session (Live Chat users read every session), while it is
        open."""
        message = super()._get_with_access(message_id, mode=mode, **kwargs)
        # sudo: mail.message, discuss.channel - only where the message was posted.
        message_su = message.sudo()
        if message and message_su.model == "discuss.channel":
            session = self.env["discuss.channel"]._live_chat_sessions_of([message_su.res_id])
            if session and (
                session._live_chat_is_visitor()
                or (
                    mode != "read"
                    and (
                        session.live_chat_state != "open" or not session._live_chat_works_session()
                    )
                )
            ):
                return self.browse()
        return message

    def _to_store(self, store, fields, **kwargs):
        """A message that the suite's lean path posted in this transaction (a plain
        message: never scheduled) is formatted with its post's values, as the host
        formats a message right after its post: without searching for a scheduled
        notification of it (a query, in the answer of every operator's reply)."""
        posted = self.env.cr.precommit.data.get(POSTED_VALUES_KEY, {})
        if len(self) == 1 and self.id in posted and not kwargs.get("msg_vals"):
            kwargs["msg_vals"] = posted[self.id]
        return super()._to_store(store, fields, **kwargs)

    def _message_reaction(self, content, action, partner, guest, store=None):
        """A reaction put on (or taken off) a message of a live chat session reaches
        the session's visitor, under the message."""
        result = super()._message_reaction(content, action, partner, guest, store=store)
        # sudo: mail.message, discuss.channel - the caller could react to the message
        # (the host checked it); the visitor only hears the emoji and their counts.
        message = self.sudo()
        if message.model == "discuss.channel" and message.res_id:
            session = self.env["discuss.channel"].sudo().browse(message.res_id)
            if session.live_chat_channel_id:
                session._live_chat_send_reactions(message)
        return result
