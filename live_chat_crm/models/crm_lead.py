from odoo import api, fields, models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "live_chat.session.record"]

    live_chat_session_count = fields.Integer("Chats", compute="_compute_live_chat_session_count")

    @api.depends("live_chat_session_id", "partner_id")
    def _compute_live_chat_session_count(self):
        for lead in self:
            lead.live_chat_session_count = self.env["discuss.channel"].search_count(
                lead._live_chat_sessions_domain()
            )

    def action_view_live_chat_sessions(self):
        """The chats of the lead: the one it was made of, and its contact's."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("live_chat.live_chat_session_action")
        action["domain"] = self._live_chat_sessions_domain()
        action["context"] = {"create": False}
        return action

    def _live_chat_sessions_domain(self):
        self.ensure_one()
        domain = [("id", "=", self.live_chat_session_id.id)]
        if self.partner_id:
            domain = ["|", *domain, ("live_chat_visitor_partner_id", "=", self.partner_id.id)]
        return [("live_chat_channel_id", "!=", False), *domain]
