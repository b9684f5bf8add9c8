from odoo import fields, models

from .discuss_channel import ticket_channel


class LiveChatChannel(models.Model):
    _inherit = "live_chat.channel"

    offline_destination = fields.Selection(
        selection_add=[("ticket", "A Helpdesk ticket of the channel's team")],
        ondelete={"ticket": "set default"},
    )

    def _live_chat_offline_to_ticket(self, values):
        """A message left becomes a ticket of the team whose channel this is (without a
        team when none is), for its members to answer by email."""
        self.ensure_one()
        # sudo: helpdesk.ticket.team, helpdesk.ticket - a visitor's message left to the
        # channel (see the route) becomes the team's ticket; its texts are escaped.
        team = (
            self.env["helpdesk.ticket.team"]
            .sudo()
            .search([("live_chat_channel_id", "=", self.id)], limit=1)
        )
        return (
            self.env["helpdesk.ticket"]
            .sudo()
            .create(
                {
                    "name": self._live_chat_offline_title(values),
                    "description": self._live_chat_offline_body(values),
                    "partner_name": values["name"],
                    "partner_email": values["email"],
                    "team_id": team.id,
                    "user_id": False,
                    "channel_id": ticket_channel(self.env).id,
                }
            )
        )
