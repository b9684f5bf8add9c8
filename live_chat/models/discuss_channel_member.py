from odoo import api, models
from odoo.exceptions import AccessError, UserError


class DiscussChannelMember(models.Model):
    _inherit = "discuss.channel.member"

    @api.model_create_multi
    def create(self, vals_list):
        # The host lets a channel's members add anyone to it: in a session, an
        # operator could bring in an employee who would read the visitor's chat and
        # write to them. The suite adds a session's people itself (the visitor, the
        # operator, a colleague invited among the channel's available operators).
        if not self.env.su:
            if self.env["discuss.channel"]._live_chat_sessions_of(
                vals.get("channel_id") for vals in vals_list
            ):
                raise AccessError(
                    self.env._(
                        "Colleagues join a chat when invited from its window, among the "
                        "channel's available operators."
                    )
                )
        return super().create(vals_list)

    def _rtc_join_call(self, store=None, check_rtc_session_ids=None, camera=False):
        # A live chat has no calls: the widget cannot take one (the web client shows
        # no call button in a session), and the host's call notice would reach the
        # visitor as an empty line.
        if self.channel_id.channel_type == "live_chat":
            raise UserError(self.env._("A live chat has no calls."))
        return super()._rtc_join_call(
            store=store, check_rtc_session_ids=check_rtc_session_ids, camera=camera
        )

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

    # ------------------------------------------------------------
    # Typing and seen: the operators' side told to the visitor
    # ------------------------------------------------------------
    # The host tells the session's members (the operators' web client) on the
    # session's bus channel; the visitor listens on their own channel only, in the
    # suite's format. Nothing is written for typing: bus notifications only.

    def _notify_typing(self, is_typing):
        res = super()._notify_typing(is_typing)
        for member in self._live_chat_operator_members():
            # sudo: discuss.channel - the visitor's bus channel is derived from the
            # session's token; only the operator's name and the state go to it.
            session = member.channel_id.sudo()
            if session.live_chat_state == "open":
                session._live_chat_bus_send(
                    "live_chat/typing",
                    {
                        "session_id": session.id,
                        "is_typing": bool(is_typing),
                        "name": session._live_chat_member_name(member),
                    },
                )
        return res

    def _set_last_seen_message(self, message, notify=True):
        seen_before = {member: member.seen_message_id.id for member in self}
        res = super()._set_last_seen_message(message, notify=notify)
        # Without notification: the member's own message (told with it to the visitor).
        for member in self._live_chat_operator_members() if notify else ():
            if member.seen_message_id.id > seen_before[member]:
                # sudo: discuss.channel - see _notify_typing.
                session = member.channel_id.sudo()
                session._live_chat_bus_send(
                    "live_chat/seen",
                    {"session_id": session.id, "message_id": member.seen_message_id.id},
                )
        return res

    def _live_chat_operator_members(self):
        """These members that are the operators' side of a live chat session (not
        its visitor)."""
        return self.filtered(
            lambda member: (
                member.channel_id.channel_type == "live_chat"
                and member.partner_id
                # sudo: discuss.channel - who the session's visitor is, to leave them out.
                and member.channel_id.sudo().live_chat_channel_id
                and member.partner_id != member.channel_id.sudo().live_chat_visitor_partner_id
            )
        )
