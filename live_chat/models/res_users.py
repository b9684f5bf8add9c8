import hashlib

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import ormcache

from .utils import fetch_row, row_statement

# The fields of a user's chat identity: what visitors see of an operator.
CHAT_IDENTITY_FIELDS = ("live_chat_name", "live_chat_avatar")


class ResUsers(models.Model):
    _inherit = "res.users"

    live_chat_name = fields.Char(
        "Chat Name",
        help="The name visitors see in live chats. Empty: your first name.",
    )
    live_chat_avatar = fields.Image(
        "Chat Picture",
        max_width=256,
        max_height=256,
        help="The picture visitors see beside your messages in live chats. Empty: none.",
    )
    # The chat picture's version, a column of the user's row: the visitors' messages
    # name the picture's address without reading the picture.
    live_chat_avatar_version = fields.Char(
        compute="_compute_live_chat_avatar_version", store=True, readonly=True
    )

    @api.depends("live_chat_avatar")
    def _compute_live_chat_avatar_version(self):
        for user in self:
            avatar = user.live_chat_avatar
            user.live_chat_avatar_version = (
                hashlib.sha256(avatar).hexdigest()[:16] if avatar else False
            )

    @api.model
    @ormcache("self.env._lang", "bool(self.env.context.get('prefetch_langs'))")
    def _live_chat_self_select(self):
        """The statement of ``_live_chat_read_self``: built once per registry and
        language."""
        return row_statement(self, "partner_id")

    @api.model
    def _live_chat_read_self(self):
        """The current user's row and their partner's in one query, into the ORM cache,
        unless read already. An operator's request reads both (who they are, the
        author of their message): two fetches of the ORM otherwise, each building its
        statement of every column."""
        user = self.env.user
        if "partner_id" not in user._cache:
            # sudo: res.users - the user's own row and partner, as the ORM's fetch in
            # sudo reads them (it checks a restricted field's access when it is read).
            users = self.sudo()
            fetch_row(users, user.id, users._live_chat_self_select())  # into the cache

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + list(CHAT_IDENTITY_FIELDS)

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + list(CHAT_IDENTITY_FIELDS)

    def write(self, vals):
        if (
            vals
            and set(vals) <= set(CHAT_IDENTITY_FIELDS)
            and self.env.user.has_group("live_chat.live_chat_group_manager")
            and not self.env.su
            and not self.env["res.users"].has_access("write")
        ):
            # sudo: res.users - a Live Chat administrator (checked above) sets the chat
            # identity of operators, and nothing else of them.
            if not all(user._is_internal() for user in self):
                raise AccessError(self.env._("Only internal users have a chat identity."))
            return super(ResUsers, self.sudo()).write(vals)
        res = super().write(vals)
        if {"active", "group_ids"} & vals.keys():
            self._live_chat_hand_over_sessions()
        return res

    def _live_chat_public_name(self):
        """The name visitors see of this operator: their chat name, else their first
        name; never their email nor their last name."""
        self.ensure_one()
        # sudo: res.users - what visitors are shown of an operator, whoever asks.
        user = self.sudo()
        return (user.live_chat_name or "").strip() or user.partner_id._live_chat_first_name()

    def _live_chat_avatar_url(self):
        """The address of this operator's chat picture (versioned: cached for good by
        browsers), or None when they chose none."""
        self.ensure_one()
        # sudo: res.users - whether an operator has a chat picture, whoever asks.
        user = self.sudo()
        if not user.live_chat_avatar_version:
            return None
        return f"/live_chat/operator/{user.id}/avatar?unique={user.live_chat_avatar_version}"

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
