from odoo import models


class ResGroups(models.Model):
    _inherit = "res.groups"

    def write(self, vals):
        # Users removed from the Live Chat user group (or a group implying it) from the
        # group's side: their open sessions go to other operators (see res.users).
        users_before = self.env["res.users"]
        # No group yet while the suite installs (nor once it is uninstalled).
        group = self.env.ref("live_chat.live_chat_group_user", raise_if_not_found=False)
        if "user_ids" in vals and group:
            users_before = self.filtered(lambda g: group in g.all_implied_ids).user_ids
        res = super().write(vals)
        if users_before:
            users_before._live_chat_hand_over_sessions()
        return res
