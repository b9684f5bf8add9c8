from odoo.tests import HttpCase, tagged

from .common import LiveChatCommon


@tagged("post_install", "-at_install")
class TestSidebar(LiveChatCommon, HttpCase):
    def test_open_sessions_only(self):
        operator = self._create_operator("lc_sidebar_operator", name="Sofia Sidebar")
        channel = self._create_channel(operator)
        for name in ("Open Visitor", "Closed Visitor"):
            session = self._create_sessions(channel, operator, name=name)
            session._add_members(users=operator, post_joined_message=False)
            session.with_context(live_chat_post=True).message_post(
                body=f"Hello from {name}", message_type="comment"
            )
        session.with_user(operator).action_live_chat_close()
        self.start_tour("/odoo/discuss", "live_chat_sidebar_tour", login=operator.login)
