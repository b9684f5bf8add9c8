from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

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
        # sudo: res.users - which user the author is, to show their chat name.
        users = self.sudo().with_context(active_test=False).user_ids
        user = users.filtered(lambda u: not u.share)[:1] or users[:1]
        return user._live_chat_public_name() if user else self._live_chat_first_name()

    def _live_chat_avatar_url(self):
        """The address of the chat picture of this author's user, or None."""
        self.ensure_one()
        # sudo: res.users - which user the author is, to show their chat picture.
        user = self.sudo().with_context(active_test=False).user_ids.filtered(lambda u: not u.share)
        return user[:1]._live_chat_avatar_url() if user else None
