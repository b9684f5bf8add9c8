from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import LiveChatCrmCommon


@tagged("post_install", "-at_install")
class TestLead(LiveChatCrmCommon, HttpCase):
    """Leads from sessions (the button's method and /lead) and from messages left;
    the chats of a lead and of a contact."""

    def test_lead_from_a_session(self):
        session = self._portal_session()
        action = session.with_user(self.salesman).action_live_chat_create_lead()
        lead = self.env["crm.lead"].browse(action["res_id"])
        self.assertEqual(lead.live_chat_session_id, session)
        self.assertEqual(lead.team_id, self.sales_team)
        self.assertEqual(lead.partner_id, self.portal_user.partner_id)
        self.assertEqual(lead.name, "I would like a quote for 40 chairs")
        self.assertIn("I would like a quote for 40 chairs", lead.description)
        self.assertEqual(session.live_chat_lead_count, 1)
        # One click away: the lead's chats, the contact's chats.
        other = self._portal_session(body="And 4 tables?")
        self.assertEqual(lead.live_chat_session_count, 2)
        sessions = self.env["discuss.channel"].search(
            lead.with_user(self.salesman).action_view_live_chat_sessions()["domain"]
        )
        self.assertEqual(sessions, session | other)
        # Counted for many leads at once, in one query: each its own.
        same_contact = self.env["crm.lead"].create(
            {"name": "Also chairs", "partner_id": self.portal_user.partner_id.id}
        )
        bare = self.env["crm.lead"].create({"name": "No chat"})
        leads = (lead | same_contact | bare).with_user(self.salesman)
        # What the count depends on, read (and its record rules evaluated) first.
        leads.mapped("partner_id")
        leads.mapped("live_chat_session_id")
        self.env["discuss.channel"].with_user(self.salesman).search_count([])
        self.env.flush_all()
        leads.invalidate_recordset(["live_chat_session_count"])
        with self.assertQueryCount(1):
            self.assertEqual(leads.mapped("live_chat_session_count"), [2, 2, 0])
        partner = self.portal_user.partner_id.with_user(self.salesman)
        self.assertEqual(partner.live_chat_session_count, 2)
        domain = partner.action_view_live_chat_sessions()["domain"]
        self.assertEqual(self.env["discuss.channel"].search(domain), session | other)

    def test_lead_command(self):
        session = self._portal_session()
        session.with_user(self.salesman).execute_command_lead()
        lead = session.live_chat_lead_ids
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.team_id, self.sales_team)

    def test_only_salespeople(self):
        session = self._portal_session()
        operator = new_test_user(
            self.env, "lc_crm_operator", groups="base.group_user,live_chat.live_chat_group_user"
        )
        self.channel.user_ids |= operator
        session.live_chat_operator_id = operator
        with self.assertRaises(AccessError):
            session.with_user(operator).action_live_chat_create_lead()
        # /lead, in the window of a chat they work, says why, as /ticket does (not the
        # host's message about the model).
        session._add_members(users=operator, post_joined_message=False)
        with self.assertRaisesRegex(AccessError, "Only salespeople can create leads."):
            session.with_user(operator).execute_command_lead()
        self.assertFalse(session.live_chat_lead_ids)

    def test_lead_names_only_a_session_its_user_reads(self):
        """A salesperson without Live Chat rights cannot link a lead to a session
        (through the ORM's RPC: the field is read-only in the form), which would show
        them its visitor's name."""
        session = self._portal_session()
        seller = new_test_user(
            self.env, "lc_crm_seller", groups="base.group_user,sales_team.group_sale_salesman"
        )
        self.assertFalse(session.with_user(seller).has_access("read"))
        Lead = self.env["crm.lead"].with_user(seller)
        with self.assertRaises(AccessError):
            Lead.create({"name": "Curious", "live_chat_session_id": session.id})
        # Nor through the context's defaults.
        with self.assertRaises(AccessError):
            Lead.with_context(default_live_chat_session_id=session.id).create({"name": "Curious"})
        lead = Lead.create({"name": "Curious"})
        with self.assertRaises(AccessError):
            lead.write({"live_chat_session_id": session.id})
        self.assertFalse(lead.live_chat_session_id)
        # The session's operator (a salesman) links the lead they make of it.
        action = session.with_user(self.salesman).action_live_chat_create_lead()
        self.assertEqual(
            self.env["crm.lead"].browse(action["res_id"]).live_chat_session_id, session
        )

    def test_message_left_becomes_a_lead(self):
        self.channel.write({"offline_mode": "form", "offline_destination": "lead"})
        answer = self.lc_call(
            f"/live_chat/offline/{self.channel.id}",
            {
                "name": "Lev <i>Lead</i>",
                "email": "lev@example.com",
                "message": "Quote for 12 <b>desks</b>?",
            },
        )
        self.assertIn("Thank you!", answer["confirmation"])
        lead = self.env["crm.lead"].search([("email_from", "=", "lev@example.com")])
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.contact_name, "Lev <i>Lead</i>")
        self.assertEqual(lead.team_id, self.sales_team)
        self.assertFalse(lead.partner_id)
        self.assertFalse(lead.user_id)
        self.assertIn("Quote for 12 &lt;b&gt;desks&lt;/b&gt;?", lead.description)
        # A lead when the salespeople work with leads (CRM's setting), else an opportunity.
        self.assertEqual(lead.type, "opportunity")
        self.env.ref("base.group_user").implied_ids |= self.env.ref("crm.group_use_lead")
        self.lc_call(
            f"/live_chat/offline/{self.channel.id}",
            {"name": "Lea", "email": "lea@example.com", "message": "A quote?"},
        )
        lead = self.env["crm.lead"].search([("email_from", "=", "lea@example.com")])
        self.assertEqual(lead.type, "lead")
