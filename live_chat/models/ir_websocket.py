from odoo import models

from odoo.addons.bus.websocket import wsrequest

from .. import presence_heartbeat


class IrWebsocket(models.AbstractModel):
    _inherit = "ir.websocket"

    def _subscribe(self, og_data):
        """The socket of a signed-in user counts for their presence's heartbeat
        (presence_heartbeat.py), in the process that holds it, from its first
        subscription on."""
        result = super()._subscribe(og_data)
        # A new socket (a browser that reconnects after a restart sends no presence
        # again): its user is polled now, not at the next beat.
        if not self.env.user._is_public() and presence_heartbeat.track(
            wsrequest.ws, self.env.cr.dbname, self.env.uid
        ):
            presence_heartbeat.write_polls(self.env.cr, [self.env.uid])
        return result
