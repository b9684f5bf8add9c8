from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.live_chat.tests.common import LiveChatCommon

HELPDESK_OPERATOR_GROUPS = (
    "base.group_user,live_chat.live_chat_group_user,helpdesk_mgmt.group_helpdesk_user"
)


class LiveChatHelpdeskCommon(LiveChatCommon):
    """A Helpdesk team of two members who are also live chat operators, and its
    manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            "lc_hd_manager",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_manager,"
            "live_chat.live_chat_group_manager",
            name="Hanna Manager",
        )
        cls.member = new_test_user(
            cls.env, "lc_hd_member", groups=HELPDESK_OPERATOR_GROUPS, name="Mona Member"
        )
        cls.other_member = new_test_user(
            cls.env, "lc_hd_other_member", groups=HELPDESK_OPERATOR_GROUPS, name="Max Member"
        )
        cls.portal_user = new_test_user(
            cls.env,
            "lc_hd_portal",
            groups="base.group_portal",
            name="Paula Portal",
            email="paula@example.com",
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Tour Printer Team",
                "user_ids": [Command.set((cls.member | cls.other_member).ids)],
            }
        )
