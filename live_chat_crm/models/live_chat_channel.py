from odoo import fields, models


class LiveChatChannel(models.Model):
    _inherit = "live_chat.channel"

    crm_team_id = fields.Many2one(
        "crm.team",
        "Sales Team",
        ondelete="set null",
        help="The sales team of the leads made of this channel's chats and of the "
        "messages visitors leave.",
    )
    offline_destination = fields.Selection(
        selection_add=[("lead", "A CRM lead of the channel's sales team")],
        ondelete={"lead": "set default"},
    )

    def _live_chat_offline_to_lead(self, values):
        """A message left becomes a lead of the channel's sales team, the visitor's
        name and email its contact's (not a contact of the database: nobody checked
        the address)."""
        self.ensure_one()
        # sudo: res.groups - whether the salespeople work with leads (CRM's setting): a
        # lead then, else an opportunity, as if one of them had written it down.
        use_leads = (
            self.env.ref("crm.group_use_lead")
            in self.env.ref("base.group_user").sudo().all_implied_ids
        )
        # sudo: crm.lead - a visitor's message left to the channel (see the route)
        # becomes a lead of its team; every text is escaped in its description.
        return (
            self.env["crm.lead"]
            .sudo()
            .create(
                {
                    "name": self._live_chat_offline_title(values),
                    "description": self._live_chat_offline_body(values),
                    "contact_name": values["name"],
                    "email_from": values["email"],
                    "type": "lead" if use_leads else "opportunity",
                    "team_id": self.crm_team_id.id,
                    "user_id": False,
                    "lang_id": self.env["res.lang"]._lang_get(values["lang"]).id
                    if values.get("lang")
                    else False,
                }
            )
        )
