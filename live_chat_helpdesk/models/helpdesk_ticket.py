from odoo import models


class HelpdeskTicket(models.Model):
    """A ticket made of a live chat session keeps it (``live_chat_session_id``)."""

    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "live_chat.session.record"]
