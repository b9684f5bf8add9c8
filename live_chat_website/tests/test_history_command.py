import json

from odoo.tests import HttpCase, new_test_user, tagged

from .common import WebsiteChatCommon

TRANSIENT = "discuss.channel/transient_message"


@tagged("post_install", "-at_install")
class TestHistoryCommand(WebsiteChatCommon, HttpCase):
    """/history in a session's window lists the website pages the visitor saw, for
    an operator of the session who may read the website's visitor tracking."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator.group_ids += cls.env.ref("website.group_website_designer")
        cls.plain = new_test_user(
            cls.env,
            "lc_hist_plain",
            groups="base.group_user,live_chat.live_chat_group_user",
            name="Pat Plain",
        )
        cls.pricing = cls._create_page("hist_pricing", "Pricing <b>now</b>", "/lc-hist-pricing")

    def _answers(self, user, session):
        """The transient answers ``user`` received in ``session``'s window."""
        self.env.cr.precommit.run()
        answers = []
        for record in self.env["bus.bus"].sudo().search([], order="id"):
            message = json.loads(record.message)
            if (
                message["type"] == TRANSIENT
                and json.loads(record.channel)[1:] == ["res.partner", user.partner_id.id]
                and message["payload"]["channel_id"] == session.id
            ):
                answers.append(message["payload"]["body"])
        return answers

    def test_history_lists_the_pages(self):
        self.assertEqual(self.url_open(self.pricing.url).status_code, 200)
        session = self.lc_session(self.lc_start(name="Ann"))
        self.assertEqual(session.live_chat_operator_id, self.operator)
        session.with_user(self.operator).execute_command_history(body="/history")
        (answer,) = self._answers(self.operator, session)
        self.assertIn("The pages this visitor saw, the latest last:", answer)
        self.assertIn(f'href="{self.base_url()}/lc-hist-pricing"', answer.replace("'", '"'))
        # The page's name is text, never markup.
        self.assertIn("Pricing &lt;b&gt;now&lt;/b&gt;", answer)

    def test_history_unknown_without_the_tracking_rights(self):
        """An operator who may not read the website's visitor tracking is told the
        pages are unknown (an administrator joins them to the session)."""
        self.assertEqual(self.url_open(self.pricing.url).status_code, 200)
        session = self.lc_session(self.lc_start(name="Ann"))
        self._create_channel(self.plain, name="Other")
        self._set_presence(self.plain)
        session.with_user(self.operator).action_live_chat_invite(user_id=self.plain.id)
        session.with_user(self.plain).execute_command_history(body="/history")
        (answer,) = self._answers(self.plain, session)
        self.assertIn("The pages this visitor saw are unknown.", answer)
        self.assertNotIn("lc-hist-pricing", answer)
