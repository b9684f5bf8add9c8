from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    live_chat_session_count = fields.Integer(
        "Chats",
        compute="_compute_live_chat_session_count",
        groups="live_chat.live_chat_group_user",
    )

    def _compute_live_chat_session_count(self):
        # With the user's rights: the sessions they may see.
        counts = dict(
            self.env["discuss.channel"]._read_group(
                [
                    ("live_chat_channel_id", "!=", False),
                    ("live_chat_visitor_partner_id", "in", self.ids),
                ],
                ["live_chat_visitor_partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.live_chat_session_count = counts.get(partner, 0)

    def action_view_live_chat_sessions(self):
        """The contact's chats, one click away from their form."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("live_chat.live_chat_session_action")
        action["domain"] = [
            ("live_chat_channel_id", "!=", False),
            ("live_chat_visitor_partner_id", "=", self.id),
        ]
        action["context"] = {"create": False}
        return action
