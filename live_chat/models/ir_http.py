from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _auth_method_live_chat_visitor(cls):
        """``auth="live_chat_visitor"``: the routes a visitor's widget calls, on every
        page view of every website that embeds it. As ``auth="public"``: the user of
        the session cookie, else the public user; without the host's check, on every
        request, that the public user still exists (one query of the page view's
        two): its id comes from the registry's cache of XML ids."""
        if request.env.uid is None:
            _model, public_uid = request.env["ir.model.data"]._xmlid_to_res_model_res_id(
                "base.public_user", raise_if_not_found=True
            )
            request.update_env(user=public_uid)
