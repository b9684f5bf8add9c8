from odoo import api, fields, models


class LiveChatSessionRecord(models.AbstractModel):
    """A record made of a live chat session by a bridge (a Helpdesk ticket, a CRM
    lead): the session it was made of. The bridges' models inherit it; the session's
    side (``discuss.channel._live_chat_create_record``) makes the record."""

    _name = "live_chat.session.record"
    _description = "Record Made of a Live Chat Session"

    live_chat_session_id = fields.Many2one(
        "discuss.channel",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        domain=[("live_chat_channel_id", "!=", False)],
        help="The chat this record was made of.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        # The records' values, whatever gave them (the values, the context's or the
        # user's defaults).
        self._live_chat_check_session(records.live_chat_session_id.ids)
        return records

    def write(self, vals):
        if "live_chat_session_id" in vals:
            self._live_chat_check_session([vals["live_chat_session_id"]])
        return super().write(vals)

    def _live_chat_check_session(self, session_ids):
        """A record names only a session that its user may read: the field is
        read-only in the form only, and through the ORM's RPC any session's id would
        show its visitor's name on the record."""
        session_ids = [session_id for session_id in session_ids if session_id]
        if session_ids and not self.env.su:
            self.env["discuss.channel"].browse(session_ids).check_access("read")
