"""What visitors see of an operator: their chat picture, the only picture of theirs
that is public."""

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

# A versioned address (``unique``, the operator's last change) never changes content.
AVATAR_MAX_AGE = 31536000
# Without a version: a short while.
AVATAR_UNVERSIONED_MAX_AGE = 300


class LiveChatOperatorController(http.Controller):
    @http.route(
        "/live_chat/operator/<int:user_id>/avatar",
        type="http",
        auth="live_chat_visitor",
        cors="*",
        readonly=True,
        save_session=False,
    )
    def operator_avatar(self, user_id, unique=None, **_params):
        """The chat picture an operator chose (never their profile picture), or 404
        when they chose none or are not an operator."""
        if not 0 < user_id < 2**31:
            raise NotFound()
        # sudo: res.users - the chat picture is public by design (shown to visitors),
        # for the users who are operators only; no other field is read out.
        user = request.env["res.users"].sudo().browse(user_id).exists()
        if (
            not user
            or not user.active
            or not user.live_chat_avatar
            or not user.has_group("live_chat.live_chat_group_user")
        ):
            raise NotFound()
        stream = request.env["ir.binary"]._get_image_stream_from(
            user, "live_chat_avatar", filename=f"operator-{user.id}"
        )
        # Only the picture's own version is cached for good: any other ``unique``
        # would keep, for a year, whatever the picture is now under a name of its own.
        versioned = bool(unique) and unique == user.live_chat_avatar_version
        response = stream.get_response(
            max_age=AVATAR_MAX_AGE if versioned else AVATAR_UNVERSIONED_MAX_AGE,
            immutable=versioned,
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
