from odoo import Command, api, fields, models
from odoo.exceptions import AccessError


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    use_live_chat = fields.Boolean(
        "Live Chat",
        help="Visitors chat with the team's members: a live chat channel named after the "
        "team, whose operators are its members.",
    )
    live_chat_channel_id = fields.Many2one(
        "live_chat.channel", readonly=True, copy=False, ondelete="set null"
    )

    # A team's channel is the one made for it when Live Chat was ticked: the field is
    # read-only in the form only, and a team pointed at another channel (through the
    # ORM's RPC) would rename it, make the team's members its operators, and archive
    # it with the team's box unticked. Outside the suite's code (sudo), refused.

    @api.model_create_multi
    def create(self, vals_list):
        teams = super().create(vals_list)
        # The teams' values, whatever gave them (the values, the context's or the
        # user's defaults).
        if not self.env.su and teams.filtered("live_chat_channel_id"):
            self._live_chat_refuse_channel()
        teams.filtered("use_live_chat")._sync_live_chat_channel()
        return teams

    def write(self, vals):
        if not self.env.su and "live_chat_channel_id" in vals:
            self._live_chat_refuse_channel()
        members_before = {team: team.user_ids for team in self} if "user_ids" in vals else {}
        res = super().write(vals)
        if {"use_live_chat", "name", "active", "user_ids"} & vals.keys():
            self._sync_live_chat_channel(members_before)
        return res

    def unlink(self):
        # The sessions stay, with their channel, archived.
        self._sync_live_chat_channel(archive=True)
        return super().unlink()

    def _live_chat_refuse_channel(self):
        raise AccessError(
            self.env._("A team's live chat channel is made by ticking Live Chat on the team.")
        )

    def action_open_live_chat_channel(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "live_chat.channel",
            "res_id": self.live_chat_channel_id.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def _sync_live_chat_channel(self, members_before=None, archive=False):
        """Give each team with Live Chat its channel (created the first time), named
        after the team, with the team's members as operators (internal users only; the
        channel makes them Live Chat users); archive the channel of a team without it,
        which keeps the channel's sessions and settings for later."""
        teams = self.filtered(lambda team: team.use_live_chat or team.live_chat_channel_id)
        if not teams:
            return
        teams.check_access("write")
        # sudo: live_chat.channel - who may change a team (checked just above) manages its
        # channel: its name, operators (the members) and whether it is active; nothing else.
        Channel = self.env["live_chat.channel"].sudo().with_context(active_test=False)
        for team in teams:
            channel = Channel.browse(team.live_chat_channel_id.id)
            active = team.use_live_chat and team.active and not archive
            if not channel:
                # sudo: helpdesk.ticket.team - the team's own channel, made for it.
                team.sudo().live_chat_channel_id = Channel.create(
                    {"name": team.name, "user_ids": [Command.set(team._live_chat_operators().ids)]}
                )
                continue
            values = {"name": team.name, "active": active}
            if members_before is not None and team in members_before:
                added = team._live_chat_operators() - members_before[team]
                removed = members_before[team] - team.user_ids
                values["user_ids"] = [Command.link(user.id) for user in added] + [
                    Command.unlink(user.id) for user in removed
                ]
            elif active and not channel.active:
                # Live Chat ticked again: the members are the operators again.
                values["user_ids"] = [Command.link(user.id) for user in team._live_chat_operators()]
            channel.write(values)

    def _live_chat_operators(self):
        """The members who can be operators: the internal users."""
        self.ensure_one()
        return self.user_ids.filtered(lambda user: not user.share)
