from odoo import fields, models


class Website(models.Model):
    _inherit = "website"

    live_chat_channel_id = fields.Many2one(
        "live_chat.channel",
        ondelete="set null",
        help="The channel whose chat button shows on this website's pages.",
    )

    def _get_live_chat_loader_url(self):
        """The address of the chat button's script on this website's pages, or False.
        A path: the page loads it from the website's own domain."""
        self.ensure_one()
        # sudo: live_chat.channel - every visitor of the website gets its chat button;
        # only the id and whether the channel is active are read.
        channel = self.sudo().live_chat_channel_id
        return f"/live_chat/loader/{channel.id}" if channel.active else False
