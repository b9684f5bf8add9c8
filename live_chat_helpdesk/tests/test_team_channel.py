from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import LiveChatHelpdeskCommon


@tagged("post_install", "-at_install")
class TestTeamChannel(LiveChatHelpdeskCommon, TransactionCase):
    """A team's "Live Chat" box: the team's channel, named after it, its members as
    operators; unticked, the channel is archived with its sessions."""

    def test_tick_gives_the_team_a_channel(self):
        self.assertFalse(self.team.live_chat_channel_id)
        self.team.with_user(self.manager).use_live_chat = True
        channel = self.team.live_chat_channel_id
        self.assertTrue(channel.active)
        self.assertEqual(channel.name, "Tour Printer Team")
        self.assertEqual(channel.user_ids, self.member | self.other_member)

    def test_team_created_with_live_chat(self):
        team = (
            self.env["helpdesk.ticket.team"]
            .with_user(self.manager)
            .create(
                {
                    "name": "Billing",
                    "use_live_chat": True,
                    "user_ids": [Command.set(self.member.ids)],
                }
            )
        )
        self.assertEqual(team.live_chat_channel_id.name, "Billing")
        self.assertEqual(team.live_chat_channel_id.user_ids, self.member)

    def test_untick_keeps_the_history(self):
        self.team.use_live_chat = True
        channel = self.team.live_chat_channel_id
        session = self._create_sessions(channel, self.member, state="closed")
        self.team.with_user(self.manager).use_live_chat = False
        self.assertFalse(channel.active)
        self.assertTrue(channel.exists())
        self.assertEqual(self.team.live_chat_channel_id, channel)
        self.assertEqual(session.live_chat_channel_id, channel)
        self.assertEqual(channel.with_context(active_test=False).session_ids, session)

        # Ticked again: the same channel, back with the team's members.
        self.team.user_ids = [Command.unlink(self.other_member.id)]
        self.team.use_live_chat = True
        self.assertEqual(self.team.live_chat_channel_id, channel)
        self.assertTrue(channel.active)
        self.assertIn(self.member, channel.user_ids)
        self.assertEqual(channel.session_ids, session)

    def test_members_are_the_operators(self):
        self.team.use_live_chat = True
        channel = self.team.live_chat_channel_id
        # An operator added from the Live Chat app, not a member of the team.
        helper = self._create_operator("lc_hd_helper", name="Hugo Helper")
        channel.user_ids = [Command.link(helper.id)]
        newcomer = new_test_user(self.env, "lc_hd_newcomer", name="Nina Newcomer")
        self.team.user_ids = [Command.link(newcomer.id), Command.unlink(self.other_member.id)]
        self.assertEqual(channel.user_ids, self.member | newcomer | helper)

    def test_renamed_and_archived_with_the_team(self):
        self.team.use_live_chat = True
        channel = self.team.live_chat_channel_id
        self.team.name = "Printers"
        self.assertEqual(channel.name, "Printers")
        self.team.action_archive()
        self.assertFalse(channel.active)
        self.team.action_unarchive()
        self.assertTrue(channel.active)

    def test_deleted_team(self):
        self.team.use_live_chat = True
        channel = self.team.live_chat_channel_id
        self.team.unlink()
        self.assertTrue(channel.exists())
        self.assertFalse(channel.active)

    def test_teams_without_live_chat_are_left_alone(self):
        channels = self.env["live_chat.channel"].with_context(active_test=False).search([])
        self.team.write({"name": "Renamed", "user_ids": [Command.unlink(self.member.id)]})
        self.assertFalse(self.team.live_chat_channel_id)
        self.assertEqual(
            self.env["live_chat.channel"].with_context(active_test=False).search([]), channels
        )

    def test_helpdesk_manager_without_live_chat_rights(self):
        """Who manages the team manages its channel, without other live chat rights."""
        manager = new_test_user(
            self.env,
            "lc_hd_manager_only",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_manager",
        )
        self.team.with_user(manager).use_live_chat = True
        self.assertTrue(self.team.live_chat_channel_id.active)
        with self.assertRaises(AccessError):
            self.team.live_chat_channel_id.with_user(manager).write({"name": "Hacked"})

    def test_team_cannot_take_another_channel(self):
        """A team's channel field is read-only in the form only: pointed at an
        existing channel through the ORM's RPC, the team would take it over (its
        name, operators, sessions, and archiving)."""
        other = self._create_channel(self.member, name="Sales chat")
        session = self._create_sessions(other, self.member)
        manager = new_test_user(
            self.env,
            "lc_hd_manager_takeover",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_manager",
        )
        Team = self.env["helpdesk.ticket.team"].with_user(manager)
        with self.assertRaises(AccessError):
            self.team.with_user(manager).write(
                {"use_live_chat": True, "live_chat_channel_id": other.id}
            )
        with self.assertRaises(AccessError):
            Team.create(
                {"name": "Takeover", "use_live_chat": False, "live_chat_channel_id": other.id}
            )
        with self.assertRaises(AccessError):
            Team.with_context(default_live_chat_channel_id=other.id).create(
                {"name": "Takeover", "use_live_chat": True}
            )
        self.assertFalse(self.team.live_chat_channel_id)
        self.assertRecordValues(other, [{"name": "Sales chat", "active": True}])
        self.assertEqual(other.user_ids, self.member)
        self.assertEqual(session.live_chat_operator_id, self.member)
        # Ticking Live Chat still gives the team a channel of its own.
        self.team.with_user(manager).use_live_chat = True
        self.assertNotEqual(self.team.live_chat_channel_id, other)
        self.assertEqual(self.team.live_chat_channel_id.name, "Tour Printer Team")

    def test_helpdesk_user_cannot_tick(self):
        with self.assertRaises(AccessError):
            self.team.with_user(self.member).use_live_chat = True
        self.assertFalse(self.team.live_chat_channel_id)

    def test_open_the_channel(self):
        self.team.use_live_chat = True
        action = self.team.with_user(self.manager).action_open_live_chat_channel()
        self.assertEqual(
            (action["res_model"], action["res_id"]),
            ("live_chat.channel", self.team.live_chat_channel_id.id),
        )

    def test_members_become_live_chat_users(self):
        """A team member who is no Live Chat user yet becomes one with the team's Live
        Chat: offered chats, and able to work them, closing included."""
        helpdesk_user = new_test_user(
            self.env,
            "lc_hd_helpdesk_only",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user",
            name="Hedda Helpdesk",
        )
        self.assertFalse(helpdesk_user.has_group("live_chat.live_chat_group_user"))
        self.team.user_ids = [Command.set(helpdesk_user.ids)]
        self.team.with_user(self.manager).use_live_chat = True
        channel = self.team.live_chat_channel_id
        self.assertEqual(channel.user_ids, helpdesk_user)
        self.assertTrue(helpdesk_user.has_group("live_chat.live_chat_group_user"))

        self._set_presence(helpdesk_user)
        self.assertEqual(channel._get_available_operator(), helpdesk_user)
        session = self._create_sessions(channel, helpdesk_user)
        self.assertTrue(session.with_user(helpdesk_user).has_access("read"))
        session.with_user(helpdesk_user).action_live_chat_close()
        self.assertEqual(session.live_chat_state, "closed")

        # A member added later too.
        newcomer = new_test_user(self.env, "lc_hd_newcomer_group", name="Nils Newcomer")
        self.team.with_user(self.manager).user_ids = [Command.link(newcomer.id)]
        self.assertIn(newcomer, channel.user_ids)
        self.assertTrue(newcomer.has_group("live_chat.live_chat_group_user"))

    def test_portal_members_are_no_operators(self):
        self.team.user_ids = [Command.link(self.portal_user.id)]
        self.team.with_user(self.manager).use_live_chat = True
        channel = self.team.live_chat_channel_id
        self.assertEqual(channel.user_ids, self.member | self.other_member)
        self.assertFalse(self.portal_user.has_group("base.group_user"))

    def test_member_leaves_the_team(self):
        """A member who leaves the team leaves the channel: their open sessions go to
        another member."""
        self.team.use_live_chat = True
        channel = self.team.live_chat_channel_id
        self._set_presence(self.member | self.other_member)
        session = self._create_sessions(channel, self.member)
        session._add_members(users=self.member, post_joined_message=False)
        self.team.with_user(self.manager).user_ids = [Command.unlink(self.member.id)]
        self.assertEqual(session.live_chat_state, "open")
        self.assertEqual(session.live_chat_operator_id, self.other_member)
        self.assertIn(self.other_member.partner_id, session.channel_member_ids.partner_id)
        self.assertNotIn(self.member.partner_id, session.channel_member_ids.partner_id)
