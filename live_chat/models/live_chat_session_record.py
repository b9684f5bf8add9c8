from odoo import fields, models


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
