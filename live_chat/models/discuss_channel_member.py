from odoo import models


class DiscussChannelMember(models.Model):
    _inherit = "discuss.channel.member"

    def unlink(self):
        # The operator of an open session leaves it (the /leave command, "Leave" in
        # the chat window, a member removed): the session goes to another operator.
        # sudo: discuss.channel - which sessions these members are the operators of,
        # whoever removes them (a visitor leaving cannot read the operator's user).
        sessions = (
            self.sudo()
            .filtered(
                lambda member: (
                    member.partner_id
                    and member.channel_id.live_chat_channel_id
                    and member.channel_id.live_chat_state == "open"
                    and member.partner_id == member.channel_id.live_chat_operator_id.partner_id
                )
            )
            .channel_id
        )
        res = super().unlink()
        sessions.exists()._live_chat_hand_over()
        return res
