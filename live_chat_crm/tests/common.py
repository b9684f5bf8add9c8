from odoo.tests import new_test_user

from odoo.addons.live_chat.tests.common import LiveChatCommon

SALES_OPERATOR_GROUPS = (
    "base.group_user,live_chat.live_chat_group_user,sales_team.group_sale_salesman"
)


class LiveChatCrmCommon(LiveChatCommon):
    """A channel of a sales team, answered by a salesman; a logged-in visitor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env, "lc_crm_salesman", groups=SALES_OPERATOR_GROUPS, name="Sam Salesman"
        )
        cls.sales_team = cls.env["crm.team"].create({"name": "Chair Sales"})
        cls.channel = cls._create_channel(cls.salesman, crm_team_id=cls.sales_team.id)
        cls.portal_user = new_test_user(
            cls.env,
            "lc_crm_portal",
            groups="base.group_portal",
            name="Paula Portal",
            email="paula@example.com",
        )

    def _portal_session(self, body="I would like a quote for 40 chairs"):
        self._set_presence(self.salesman)
        self.authenticate(self.portal_user.login, self.portal_user.login)
        session = self.lc_session(self.lc_start(channel=self.channel, body=body))
        self.authenticate(None, None)
        return session
