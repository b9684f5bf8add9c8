from odoo.tests import HttpCase, tagged

from ..models.utils import SUITE_POST
from .common import LiveChatCommon


@tagged("post_install", "-at_install")
class TestSidebar(LiveChatCommon, HttpCase):
    def test_open_sessions_only(self):
        """Discuss lists the operator's open sessions, not the closed ones, and shows an
        open session with the visitor's details and the session's actions."""
        operator = self._create_operator("lc_sidebar_operator", name="Sofia Sidebar")
        channel = self._create_channel(operator)
        for name in ("Open Visitor", "Closed Visitor"):
            session = self._create_sessions(channel, operator, name=name)
            session._add_members(users=operator, post_joined_message=False)
            session.with_context(live_chat_post=SUITE_POST).message_post(
                body=f"Hello from {name}", message_type="comment"
            )
        session.with_user(operator).action_live_chat_close()
        self.start_tour("/odoo/discuss", "live_chat_sidebar_tour", login=operator.login)
