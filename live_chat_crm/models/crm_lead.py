from collections import defaultdict

from odoo import api, fields, models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "live_chat.session.record"]

    live_chat_session_count = fields.Integer("Chats", compute="_compute_live_chat_session_count")

    @api.depends("live_chat_session_id", "partner_id")
    def _compute_live_chat_session_count(self):
        # One query for all the leads, their chats' contacts read with it.
        sessions = self.env["discuss.channel"].search_fetch(
            self._live_chat_sessions_domain(), ["live_chat_visitor_partner_id"]
        )
        by_partner = defaultdict(set)
        for session in sessions:
            by_partner[session.live_chat_visitor_partner_id.id].add(session.id)
        for lead in self:
            chats = set(by_partner[lead.partner_id.id]) if lead.partner_id else set()
            if lead.live_chat_session_id in sessions:
                chats.add(lead.live_chat_session_id.id)
            lead.live_chat_session_count = len(chats)

    def action_view_live_chat_sessions(self):
        """The chats of the lead: the one it was made of, and its contact's."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("live_chat.live_chat_session_action")
        action["domain"] = self._live_chat_sessions_domain()
        action["context"] = {"create": False}
        return action

    def _live_chat_sessions_domain(self):
        """The chats of these leads: the ones they were made of, and their contacts'
        (as the user may read them)."""
        return [
            ("live_chat_channel_id", "!=", False),
            "|",
            ("id", "in", self.live_chat_session_id.ids),
            ("live_chat_visitor_partner_id", "in", self.partner_id.ids),
        ]
