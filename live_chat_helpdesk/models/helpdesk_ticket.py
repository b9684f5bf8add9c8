from odoo import fields, models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    live_chat_session_id = fields.Many2one(
        "discuss.channel",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        domain=[("live_chat_channel_id", "!=", False)],
        help="The chat this ticket was created from.",
    )
