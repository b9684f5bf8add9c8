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

    def _live_chat_first_name(self):
        """The first word of the name, never an email address (users are often
        named by theirs): "Operator" when the name is nothing else."""
        self.ensure_one()
        # sudo: res.partner - the first name of an operator, shown to visitors.
        words = (self.sudo().name or "").split()
        first = words[0] if words else ""
        if not first or "@" in first:
            return self.env._("Operator")
        return first

    def _live_chat_public_name(self):
        """The name visitors see of this author (not a visitor): the chat name of its
        internal user, else its first name."""
        self.ensure_one()
        user = self._live_chat_user()
        return user._live_chat_public_name() if user else self._live_chat_first_name()

    def _live_chat_avatar_url(self):
        """The address of the chat picture of this author's user, or None."""
        self.ensure_one()
        user = self._live_chat_user()
        return user._live_chat_avatar_url() if user and not user.share else None

    def _live_chat_user(self):
        """The user of this author (the current user when it is theirs: no query)."""
        if self.env.user.partner_id == self:
            return self.env.user
        # sudo: res.users - which user the author is, to show their chat name.
        users = self.sudo().with_context(active_test=False).user_ids
        return users.filtered(lambda u: not u.share)[:1] or users[:1]
