from odoo import fields, models
from odoo.tools import SQL


class LiveChatSessionReport(models.Model):
    _inherit = "live_chat.session.report"
    _depends = {"helpdesk.ticket": ["live_chat_session_id"]}

    has_ticket = fields.Boolean(
        "Became a Ticket", readonly=True, help="A Helpdesk ticket was created from the chat."
    )
    ticket_session_count = fields.Integer(
        "Sessions Made Tickets", aggregator="sum", readonly=True
    )

    def _select(self):
        # helpdesk_ticket.live_chat_session_id is indexed; PostgreSQL evaluates this
        # only for the reads that ask for it.
        has_ticket = SQL(
            "EXISTS (SELECT 1 FROM helpdesk_ticket t WHERE t.live_chat_session_id = s.id)"
        )
        return SQL(
            "%s, %s AS has_ticket, CASE WHEN %s THEN 1 ELSE 0 END AS ticket_session_count",
            super()._select(),
            has_ticket,
            has_ticket,
        )
