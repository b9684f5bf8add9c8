from odoo.tests import TransactionCase, tagged

from .common import LiveChatHelpdeskCommon


@tagged("post_install", "-at_install")
class TestReportTickets(LiveChatHelpdeskCommon, TransactionCase):
    """The live chat report says which chats became tickets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.use_live_chat = True
        cls.channel = cls.team.live_chat_channel_id

    def test_has_ticket(self):
        ticketed, plain = self._create_sessions(self.channel, self.member, count=2)
        ticketed.with_user(self.member).action_live_chat_create_ticket()
        Report = self.env["live_chat.session.report"].with_user(self.member)
        rows = Report.search([("session_id", "in", (ticketed | plain).ids)])
        self.assertEqual(
            {row.session_id: row.has_ticket for row in rows}, {ticketed: True, plain: False}
        )
        self.assertEqual(Report.search([("has_ticket", "=", True)]).session_id, ticketed)
        (group,) = Report.formatted_read_group(
            [("session_id", "in", (ticketed | plain).ids)],
            ["channel_id"],
            ["__count", "ticket_session_count:sum"],
        )
        self.assertEqual((group["__count"], group["ticket_session_count:sum"]), (2, 1))
