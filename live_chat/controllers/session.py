from odoo import http
from odoo.http import request

from odoo.addons.web.controllers.session import Session


class LiveChatSession(Session):
    def _logout_readonly(self, rule, args):
        # A user who logs out has their presence written (below); nobody else.
        return not request.session.uid

    @http.route(readonly=_logout_readonly)
    def logout(self, redirect="/odoo"):
        """A user who logs out is offline at once: no longer offered live chats. The
        host sets the presence offline when the websocket closes, but a socket may
        outlive the logout (other tabs of the browser, the session's next id)."""
        uid = request.session.uid
        if uid and request.db:
            user = request.env(user=uid).user
            # sudo: mail.presence - a user sets their own presence (as the host does
            # when their websocket closes).
            presences = user.sudo().presence_ids
            presences.status = "offline"
            # Written now: a conflict replays the request before the logout.
            presences.flush_recordset()
        return super().logout(redirect=redirect)
