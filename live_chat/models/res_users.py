from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    def write(self, vals):
        res = super().write(vals)
        if {"active", "group_ids"} & vals.keys():
            self._live_chat_hand_over_sessions()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_hand_over_live_chat_sessions(self):
        self._live_chat_hand_over_sessions(leaving=True)

    def _live_chat_hand_over_sessions(self, leaving=False):
        """The open sessions of those of these users who can no longer work them
        (archived, no longer Live Chat users, or ``leaving``) go to other operators."""
        # sudo: discuss.channel - the open sessions of these users, whoever changes them.
        sessions = (
            self.env["discuss.channel"]
            .sudo()
            .search([("live_chat_state", "=", "open"), ("live_chat_operator_id", "in", self.ids)])
        )
        if not sessions:
            return
        group = self.env.ref("live_chat.live_chat_group_user")
        sessions.filtered(
            lambda session: (
                leaving
                or not session.live_chat_operator_id.active
                or group not in session.live_chat_operator_id.all_group_ids
            )
        )._live_chat_hand_over()
