"""The host's post route (``/mail/message/post``), by which an operator's web client
answers in a session.

The route checks the thread twice: for posting (reading, on a channel), then for
writing, whose only use is to tell ``message_post`` not to make the author a follower
when they may not write. A channel's ``message_post`` says so itself on every post
(a channel has members, never followers), so on a session the second check decides
nothing; it cost an operator's reply two queries and about 1 ms of CPU before the
commit (its record rules evaluated again, the operator's membership among them). On a
session the route skips it; everywhere else, and for every other use of the check, the
host's runs.
"""

from contextvars import ContextVar

from odoo import http
from odoo.http import request

from odoo.addons.mail.controllers.thread import ThreadController

# Whether the current request is the post route's, on a thread of this model and id.
_POSTING = ContextVar("live_chat_posting", default=None)


class LiveChatThreadController(ThreadController):
    @http.route()
    def mail_message_post(self, thread_model, thread_id, post_data, context=None, **kwargs):
        token = _POSTING.set((thread_model, thread_id))
        try:
            return super().mail_message_post(
                thread_model, thread_id, post_data, context=context, **kwargs
            )
        finally:
            _POSTING.reset(token)

    @classmethod
    def _get_thread_with_access(cls, thread_model, thread_id, mode="read", **kwargs):
        if mode == "write" and _POSTING.get() == (thread_model, thread_id):
            thread = request.env[thread_model].browse(int(thread_id))
            # The route checked it for posting just before (or answered 404).
            if thread_model == "discuss.channel" and thread.channel_type == "live_chat":
                return thread
        return super()._get_thread_with_access(thread_model, thread_id, mode=mode, **kwargs)
