from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import AccessError

from odoo.addons.mail.tools.discuss import Store

TICKET_TITLE_LENGTH = 80


def ticket_channel(env):
    """The Helpdesk channel "Live Chat" of the tickets that chats and messages left
    become, or an empty recordset: it is Helpdesk configuration like any channel, which
    a Helpdesk manager may delete (the module's next update makes it again)."""
    return (
        env.ref("live_chat_helpdesk.helpdesk_ticket_channel_live_chat", raise_if_not_found=False)
        or env["helpdesk.ticket.channel"]
    )


class DiscussChannel(models.Model):
    _inherit = "discuss.channel"

    live_chat_ticket_ids = fields.One2many(
        "helpdesk.ticket", "live_chat_session_id", "Tickets", readonly=True
    )
    live_chat_ticket_count = fields.Integer(
        "Ticket Count", compute="_compute_live_chat_ticket_count"
    )

    def _compute_live_chat_ticket_count(self):
        counts = self._live_chat_count_records(self.env["helpdesk.ticket"])
        for session in self:
            session.live_chat_ticket_count = counts.get(session, 0)

    def action_live_chat_create_ticket(self):
        """Operator side: a ticket of the session's team, with the chat's transcript,
        for the visitor when they are a known contact. Opens the new ticket."""
        self.ensure_one()
        # With the user's own rights: only Helpdesk users create tickets.
        ticket = self._live_chat_create_record("helpdesk.ticket", self._live_chat_ticket_values())
        return self._live_chat_open_record_action(ticket)

    def execute_command_ticket(self, **kwargs):
        """/ticket in a session's window: the ticket of the "Create ticket" button,
        announced to the operator with a link to it."""
        self._live_chat_check_operator_action()
        if not self.env["helpdesk.ticket"].has_access("create"):
            raise AccessError(self.env._("Only Helpdesk users can create tickets."))
        action = self.action_live_chat_create_ticket()
        ticket = self.env["helpdesk.ticket"].browse(action["res_id"])
        self.env.user._bus_send_transient_message(
            self,
            self.env._(
                "Ticket %(ticket)s created from this chat.",
                ticket=Markup("<a href='/odoo/helpdesk.ticket/%s' target='_blank'>%s</a>")
                % (ticket.id, ticket.display_name),
            ),
        )
        Store(bus_channel=self.env.user).add(self, ["live_chat_ticket_count"]).bus_send()

    def action_live_chat_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_mgmt.helpdesk_ticket_action"
        )
        action["domain"] = [("live_chat_session_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def _live_chat_ticket_values(self):
        self.ensure_one()
        # sudo: live_chat.channel, helpdesk.ticket.team - which team answers the channel,
        # whoever the operator is.
        team = (
            self.env["helpdesk.ticket.team"]
            .sudo()
            .search([("live_chat_channel_id", "=", self.live_chat_channel_id.id)], limit=1)
        )
        partner = self.live_chat_visitor_partner_id
        values = {
            "name": self._live_chat_title(TICKET_TITLE_LENGTH),
            # The host requires a description: a session without messages has one too.
            "description": self._live_chat_record_description(),
            "partner_id": partner.id,
            "partner_name": partner.name or self.live_chat_visitor_name,
            "partner_email": partner.email,
            "channel_id": ticket_channel(self.env).id,
        }
        if team:
            values["team_id"] = team.id
            if self.env.user not in team.user_ids:
                # The host assigns a new ticket to its creator (the company's option),
                # without checking the team: not to someone outside the team.
                values["user_id"] = False
        return values

    def _live_chat_store_fields(self):
        return [*super()._live_chat_store_fields(), "live_chat_ticket_count"]
