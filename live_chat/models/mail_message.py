from odoo import api, models

from .discuss_channel_post import POSTED_VALUES_KEY


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
