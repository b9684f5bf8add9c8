"""The host's post route (``/mail/message/post``), by which an operator's web client
answers in a session.

The route checks the thread twice: for posting (reading, on a channel), then for
writing, whose only use is to choose whether the author and the recipients become
followers (not when the author may not write). A session never takes followers,
whatever that check says: the suite's path for its plain messages has no follower
step, and the host's ``message_post`` of a channel turns autofollow off on every post.
On a session the second check decided nothing, and cost an operator's reply two
queries and about 1 ms of CPU before the commit (the record rules evaluated again, the
operator's membership among them). The route now skips it when its check for posting
has just granted a session; everywhere else the host's check runs.
"""

from contextvars import ContextVar

from odoo import http

from odoo.addons.mail.controllers.thread import ThreadController

# Inside the post route only: a dict holding the session its check for posting granted,
# taken by its check for writing (once).
_POSTING = ContextVar("live_chat_posting", default=None)


class SessionThreadController(ThreadController):
    @http.route()
    def mail_message_post(self, thread_model, thread_id, post_data, context=None, **kwargs):
        token = _POSTING.set({})
        try:
            return super().mail_message_post(
                thread_model, thread_id, post_data, context=context, **kwargs
            )
        finally:
            _POSTING.reset(token)

    @classmethod
    def _get_thread_with_access_for_post(cls, thread_model, thread_id, **kwargs):
        thread = super()._get_thread_with_access_for_post(thread_model, thread_id, **kwargs)
        posting = _POSTING.get()
        # sudo: discuss.channel - the type of the thread just granted.
        if posting is not None and thread and thread._name == "discuss.channel":
            if thread.sudo().channel_type == "live_chat":
                posting["session"] = thread
        return thread

    @classmethod
    def _get_thread_with_access(cls, thread_model, thread_id, mode="read", **kwargs):
        posting = _POSTING.get()
        if mode == "write" and posting and (session := posting.pop("session", None)):
            if session._name == thread_model and session.id == int(thread_id):
                return session
        return super()._get_thread_with_access(thread_model, thread_id, mode=mode, **kwargs)
