from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Operators are Live Chat users: those added before the rule existed too (the
    members of a Helpdesk team with Live Chat, for instance), or they would no longer
    be offered chats."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["live_chat.channel"].with_context(active_test=False).search([])._grant_operator_group()
