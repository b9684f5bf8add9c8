from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import AccessError

LEAD_TITLE_LENGTH = 80


class DiscussChannel(models.Model):
    _inherit = "discuss.channel"

    live_chat_lead_ids = fields.One2many("crm.lead", "live_chat_session_id", "Leads", readonly=True)
    live_chat_lead_count = fields.Integer("Lead Count", compute="_compute_live_chat_lead_count")

    def _compute_live_chat_lead_count(self):
        # Lost (archived) leads too.
        counts = self._live_chat_count_records(self.env["crm.lead"].with_context(active_test=False))
        for session in self:
            session.live_chat_lead_count = counts.get(session, 0)

    def action_live_chat_create_lead(self):
        """Operator side: a lead of the channel's sales team with the chat's transcript,
        the visitor as contact when known. Opens the new lead."""
        self.ensure_one()
        return self._live_chat_open_record_action(self._live_chat_create_lead())

    def action_live_chat_view_leads(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Leads"),
            "res_model": "crm.lead",
            "views": [(False, "list"), (False, "form")],
            "domain": [("live_chat_session_id", "=", self.id)],
            "context": {"create": False, "active_test": False},
        }

    def execute_command_lead(self, **kwargs):
        """/lead in the session's window: the lead is made, and a link to it shown to
        the operator only: for who works this open session, as the core's commands."""
        self._live_chat_check_operator_action()
        if not self.env["crm.lead"].has_access("create"):
            raise AccessError(self.env._("Only salespeople can create leads."))
        lead = self._live_chat_create_lead()
        self.env.user._bus_send_transient_message(
            self,
            self.env._(
                "Lead %(link)s created.",
                link=Markup('<a href="#" data-oe-model="crm.lead" data-oe-id="%s">%s</a>')
                % (lead.id, lead.name),
            ),
        )

    def _live_chat_create_lead(self):
        # With the user's own rights: only salespeople create leads.
        return self._live_chat_create_record("crm.lead", self._live_chat_lead_values())

    def _live_chat_lead_values(self):
        self.ensure_one()
        partner = self.live_chat_visitor_partner_id
        # sudo: live_chat.channel - the channel's sales team, whoever the operator is.
        team = self.live_chat_channel_id.sudo().crm_team_id
        values = {
            "name": self._live_chat_title(LEAD_TITLE_LENGTH),
            "description": self._live_chat_record_description(),
            "partner_id": partner.id,
            "contact_name": partner.name or self.live_chat_visitor_name,
            "email_from": partner.email,
            "country_id": self.live_chat_country_id.id,
        }
        if team:
            values["team_id"] = team.id
        return values

    def _live_chat_store_fields(self):
        return [*super()._live_chat_store_fields(), "live_chat_lead_count"]
