from odoo import models
from odoo.exceptions import AccessError


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    # A session's files: the host lets whoever may write a record change or delete
    # its files (and its attachment route calls that ownership), and a session's
    # members write it, after its end too: an operator could replace or delete the
    # visitor's files. In a session, a user changes only the files they uploaded,
    # while it is open (a file taken off their message before or after sending it).

    def _check_access(self, operation):
        # Writing a file is the host's check of its ownership too (its attachment
        # routes: delete, a thumbnail).
        result = super()._check_access(operation)
        if result or operation not in ("write", "unlink"):
            return result
        others = self._live_chat_others_files()
        if not others:
            return None
        return others.sudo(False), lambda: AccessError(
            self.env._("A file of a chat is changed by whoever sent it only.")
        )

    def _live_chat_others_files(self):
        """Those of these files, attached to a live chat session, that the current
        user may not change: not theirs, or the session has ended (outside sudo)."""
        if self.env.su:
            return self.browse()
        # sudo: ir.attachment - where the files are, and who sent them.
        files = self.sudo().filtered(lambda attachment: attachment.res_model == "discuss.channel")
        sessions = self.env["discuss.channel"]._live_chat_sessions_of(files.mapped("res_id"))
        open_ids = set(sessions.filtered(lambda session: session.live_chat_state == "open").ids)
        return files.filtered(
            lambda attachment: (
                attachment.res_id in sessions.ids
                and (attachment.res_id not in open_ids or attachment.create_uid != self.env.user)
            )
        )
