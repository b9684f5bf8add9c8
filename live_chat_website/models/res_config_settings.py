from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    live_chat_enabled = fields.Boolean(
        "Live Chat",
        compute="_compute_live_chat_enabled",
        inverse="_inverse_live_chat_enabled",
    )
    live_chat_channel_id = fields.Many2one(
        related="website_id.live_chat_channel_id",
        readonly=False,
        string="Live Chat Channel",
    )

    @api.depends("website_id")
    def _compute_live_chat_enabled(self):
        for config in self:
            config.live_chat_enabled = bool(config.live_chat_channel_id)

    def _inverse_live_chat_enabled(self):
        for config in self:
            if not config.live_chat_enabled:
                config.live_chat_channel_id = False

    @api.onchange("live_chat_enabled")
    def _onchange_live_chat_enabled(self):
        """Ticking the box proposes the first channel; unticking it forgets the channel."""
        if not self.live_chat_enabled:
            self.live_chat_channel_id = False
        elif not self.live_chat_channel_id:
            self.live_chat_channel_id = self.env["live_chat.channel"].search([], limit=1)
