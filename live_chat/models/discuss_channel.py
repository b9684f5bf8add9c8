from odoo import fields, models


class DiscussChannel(models.Model):
    _inherit = "discuss.channel"

    live_chat_channel_id = fields.Many2one(
        "live_chat.channel", "Live Chat Channel", index="btree_not_null", ondelete="set null"
    )
