import base64
import io
import json
import struct
import zlib
from unittest.mock import patch

from PIL import Image

from odoo.exceptions import ConcurrencyError
from odoo.tests import HttpCase, tagged

from ..models.discuss_channel import DiscussChannel
from .common import LiveChatOperatorCommon

TYPING = "/live_chat/session/typing"
SEEN = "/live_chat/session/seen"
UPLOAD = "/live_chat/session/upload"
# A WebP picture of one pixel.
WEBP = base64.b64decode("UklGRiQAAABXRUJQVlA4IBgAAAAwAQCdASoBAAEAAwA0JaQAA3AA/vuUAAA=")


def png_bytes(size=(40, 30), color=(200, 30, 30)):
    output = io.BytesIO()
    Image.new("RGB", size, color).save(output, format="PNG")
    return output.getvalue()


def _png_header(width, height, crc=True):
    """A PNG of no pixel data that claims ``width`` x ``height`` (``crc``: with valid
    checksums, else a broken file)."""

    def chunk(kind, data):
        checksum = zlib.crc32(kind + data) if crc else 0
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def _gif_header(width, height):
    """A GIF of one frame that claims ``width`` x ``height``, in 29 bytes."""
    screen = struct.pack("<HHBBB", width, height, 0, 0, 0)
    frame = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
    return b"GIF89a" + screen + frame + b"\x02\x02\x44\x01\x00\x3b"


class TalkCommon(LiveChatOperatorCommon):
    def _payload(self, started, **values):
        return {"session_id": started["session"]["id"], "token": started["token"], **values}

    def _bus(self, channel, notification_type):
        """The payloads of ``notification_type`` sent on ``channel`` (a record or a
        string channel), oldest first."""
        self.env.flush_all()
        self.env.cr.precommit.run()  # the bus.bus records of this transaction
        target = (
            json.dumps([self.env.cr.dbname, channel])
            if isinstance(channel, str)
            else json.dumps([self.env.cr.dbname, channel._name, channel.id])
        )
        # The host writes the channel without spaces.
        target = target.replace(", ", ",")
        return [
            json.loads(notification.message)["payload"]
            for notification in self.env["bus.bus"].search([("channel", "=", target)], order="id")
            if json.loads(notification.message)["type"] == notification_type
        ]

    def _upload(self, started, name, data, mimetype="application/octet-stream", headers=None):
        self.env.flush_all()
        response = self.url_open(
            UPLOAD,
            data={"session_id": str(started["session"]["id"]), "token": started["token"]},
            files={"file": (name, data, mimetype)},
            headers={"Origin": self.base_url(), **(headers or {})},
        )
        self.env.invalidate_all()
        return response

    def _operator_posts(self, session, body="Here you are", attachments=None):
        return (
            session.with_user(self.operator)
            .with_context(mail_post_autofollow=False)
            .message_post(
                body=body,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                attachment_ids=attachments.ids if attachments else [],
            )
        )

    def _visitor_member(self, session):
        return session.channel_member_ids.filtered(
            lambda m: m.guest_id == session.live_chat_visitor_guest_id
        )


@tagged("post_install", "-at_install")
class TestTalkPresence(TalkCommon, HttpCase):
    """Typing and seen, both ways: the host's typing notification and seen state of
    the session's members, the visitor's side through the suite's API and its own
    bus channel."""

    def test_visitor_typing(self):
        started = self.lc_start()
        session = self.lc_session(started)
        member = self._visitor_member(session)
        self.env.flush_all()
        # The row's place (ctid) too: every UPDATE makes a new row version, where
        # write_date is the transaction's clock, the same for the whole test.
        self.env.cr.execute(
            "SELECT write_date, ctid::text FROM discuss_channel_member WHERE id = %s",
            [member.id],
        )
        written, place = self.env.cr.fetchone()
        self.assertEqual(self.lc_call(TYPING, self._payload(started, is_typing=True)), {})
        # The host's member typing notification on the session's channel (the
        # operators' web client shows "... is typing").
        typing = [
            values
            for payload in self._bus(session, "mail.record/insert")
            for values in payload.get("discuss.channel.member", [])
            if "isTyping" in values
        ]
        self.assertEqual(len(typing), 1)
        self.assertEqual(typing[0]["id"], member.id)
        self.assertIs(typing[0]["isTyping"], True)
        self.lc_call(TYPING, self._payload(started, is_typing=False))
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT write_date, ctid::text FROM discuss_channel_member WHERE id = %s",
            [member.id],
        )
        self.assertEqual(self.env.cr.fetchone(), (written, place), "nothing written per keystroke")
        # The visitor does not hear their own typing.
        self.assertFalse(self._bus(session._live_chat_bus_channel(), "live_chat/typing"))

    def test_visitor_typing_refused(self):
        started = self.lc_start()
        self.lc_call(TYPING, self._payload(started, is_typing="yes"), status=400)
        self.lc_call(TYPING, {**self._payload(started, is_typing=True), "token": "x"}, status=404)
        other = self.lc_start(name="Other")
        self.lc_call(
            TYPING,
            {**self._payload(started, is_typing=True), "token": other["token"]},
            status=404,
        )
        self.env["ir.config_parameter"].sudo().set_param("live_chat.rate_limit.typing_session", 2)
        self.lc_call(TYPING, self._payload(started, is_typing=True))
        self.lc_call(TYPING, self._payload(started, is_typing=True))
        self.lc_call(TYPING, self._payload(started, is_typing=True), status=429)

    def test_operator_typing_reaches_visitor(self):
        started = self.lc_start()
        session = self.lc_session(started)
        self.authenticate(self.operator.login, self.operator.login)
        self.make_jsonrpc_request(
            "/discuss/channel/notify_typing", {"channel_id": session.id, "is_typing": True}
        )
        typing = self._bus(session._live_chat_bus_channel(), "live_chat/typing")
        self.assertEqual(
            typing,
            [
                {
                    "session_id": session.id,
                    "is_typing": True,
                    "name": self.operator._live_chat_public_name(),
                }
            ],
        )

    def test_visitor_seen(self):
        started = self.lc_start()
        session = self.lc_session(started)
        answer = self._operator_posts(session, "First answer")
        later = self._operator_posts(session, "Second answer")
        member = self._visitor_member(session)
        # Their own message only (the host's, when they posted it).
        self.assertLess(member.seen_message_id.id, answer.id)
        self.lc_call(SEEN, self._payload(started, message_id=answer.id))
        self.assertEqual(member.seen_message_id, answer)
        seen = [
            values
            for payload in self._bus(session, "mail.record/insert")
            for values in payload.get("discuss.channel.member", [])
            if values.get("id") == member.id and "seen_message_id" in values
        ]
        self.assertEqual(seen[-1]["seen_message_id"], answer.id)
        # Older than what they saw: nothing changes.
        self.lc_call(SEEN, self._payload(started, message_id=answer.id - 1))
        self.assertEqual(member.seen_message_id, answer)
        # Beyond the session's messages: its newest one.
        self.lc_call(SEEN, self._payload(started, message_id=2**40))
        self.assertEqual(member.seen_message_id, later)
        self.lc_call(SEEN, self._payload(started, message_id="1"), status=400)
        self.lc_call(SEEN, {**self._payload(started, message_id=1), "token": "y"}, status=404)

    def test_operator_seen_reaches_visitor(self):
        started = self.lc_start()
        session = self.lc_session(started)
        visitor_message = session._live_chat_message_records().filtered(
            lambda m: m.author_guest_id
        )[-1:]
        self.authenticate(self.operator.login, self.operator.login)
        self.make_jsonrpc_request(
            "/discuss/channel/mark_as_read",
            {"channel_id": session.id, "last_message_id": visitor_message.id},
        )
        seen = self._bus(session._live_chat_bus_channel(), "live_chat/seen")
        # (The first one: the welcome message, the operator's.)
        self.assertEqual(seen[-1], {"session_id": session.id, "message_id": visitor_message.id})
        info = self.lc_call("/live_chat/session/messages", self._payload(started))["session"]
        self.assertEqual(info["operator_seen_id"], visitor_message.id)


@tagged("post_install", "-at_install")
class TestTalkFiles(TalkCommon, HttpCase):
    """Files both ways: the visitor's upload within the channel's size and types, the
    operator's files reaching the visitor as links that only the session's messages
    give, and nobody else reading them (the suite's routes or the host's)."""

    def test_upload_picture(self):
        started = self.lc_start()
        session = self.lc_session(started)
        data = png_bytes()
        response = self._upload(
            started, "C:\\shots\\<img src=x onerror=alert(1)>.png", data, "text/html"
        )
        self.assertEqual(response.status_code, 200, response.text)
        message = response.json()["message"]
        self.assertTrue(message["from_visitor"])
        [attachment] = message["attachments"]
        # The name as text (the widget and the web client escape it), no path.
        self.assertEqual(attachment["name"], "<img src=x onerror=alert(1)>.png")
        # The type read from the content, not from what the browser said.
        self.assertEqual(attachment["mimetype"], "image/png")
        self.assertTrue(attachment["is_image"])
        record = self.env["ir.attachment"].browse(attachment["id"])
        self.assertEqual((record.res_model, record.res_id), ("discuss.channel", session.id))
        self.assertEqual(record.raw, data)
        posted = self.env["mail.message"].browse(message["id"])
        self.assertEqual(posted.attachment_ids, record)
        self.assertEqual(posted.author_guest_id, session.live_chat_visitor_guest_id)
        # The visitor's link: the picture, and a thumbnail of it.
        self.url_open("/web/session/logout")
        response = self.url_open(attachment["url"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "image/png")
        self.assertEqual(response.content, data)
        self.assertEqual(response.headers["X-Content-Type-Options"], "nosniff")
        thumbnail = self.url_open(attachment["url"] + "?thumbnail=1")
        self.assertEqual(thumbnail.status_code, 200)
        # Every fetch counts against the address's limit (a picture resized each time).
        self.env["ir.config_parameter"].sudo().set_param("live_chat.rate_limit.attachment_ip", 3)
        self.assertEqual(self.url_open(attachment["url"] + "?thumbnail=1").status_code, 200)
        refused = self.url_open(attachment["url"] + "?thumbnail=1")
        self.assertEqual(refused.status_code, 429)
        self.assertEqual(refused.json()["error"]["code"], "rate_limited")
        self.assertTrue(0 < int(refused.headers["Retry-After"]) <= 60)
        # On the visitor's bus channel too.
        sent = self._bus(session._live_chat_bus_channel(), "live_chat/message")
        self.assertEqual(sent[-1]["attachments"], [attachment])

    def test_refused_uploads_count(self):
        """A refused upload (no such session, too large, a refused type) counts against
        the limits as an accepted one: its reading cost the server as much."""
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("live_chat.rate_limit.upload_ip", 3)
        started = self.lc_start()
        other = self.lc_start(name="Other")
        self.channel.write({"file_allowed_types": "text/plain", "file_max_size": 1})
        wrong_token = {**started, "token": other["token"]}
        self.assertEqual(self._upload(wrong_token, "a.txt", b"abc").status_code, 404)
        big = self._upload(started, "big.txt", b"a" * (1024 * 1024 + 1))
        self.assertEqual(big.status_code, 413)
        self.assertEqual(self._upload(started, "pic.png", png_bytes()).status_code, 415)
        refused = self._upload(started, "ok.txt", b"abc")
        self.assertEqual(refused.status_code, 429, refused.text)
        self.assertEqual(refused.json()["error"]["code"], "rate_limited")
        # Nothing but the hits was kept of the refused ones.
        session = self.lc_session(started)
        self.assertFalse(session.message_ids.attachment_ids)
        self.assertFalse(
            self.env["ir.attachment"].search([("res_model", "=", "mail.compose.message")])
        )
        # Per session too, refused or not.
        params.set_param("live_chat.rate_limit.upload_ip", 0)
        params.set_param("live_chat.rate_limit.upload_session", 1)
        self.assertEqual(self._upload(other, "pic.png", png_bytes()).status_code, 415)
        self.assertEqual(self._upload(other, "ok.txt", b"abc").status_code, 429)

    def test_upload_replayed(self):
        """The host replays the upload after a serialization failure (and rewinds its
        files): the file is read again whole, and kept once."""
        started = self.lc_start()
        post_file = DiscussChannel._live_chat_post_visitor_file
        calls = []

        def fail_once(session, name, data):
            calls.append(data)
            if len(calls) == 1:
                raise ConcurrencyError("as if another transaction wrote the session")
            return post_file(session, name, data)

        data = b"Some notes\n" * 10
        with patch.object(DiscussChannel, "_live_chat_post_visitor_file", fail_once):
            response = self._upload(started, "notes.txt", data)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(calls, [data, data])
        [attachment] = response.json()["message"]["attachments"]
        self.assertEqual(self.env["ir.attachment"].browse(attachment["id"]).raw, data)
        session = self.lc_session(started)
        self.assertEqual(
            len(session.message_ids.attachment_ids.filtered(lambda a: a.name == "notes.txt")), 1
        )

    def test_upload_picture_refused(self):
        """Pictures of a few bytes that claim more pixels than the server decodes (its
        thumbnails, the host's resizing), and broken ones: refused, not a 500."""
        started = self.lc_start()
        self.channel.file_allowed_types = "image/*"
        for name, data, status, code in (
            ("bomb.png", _png_header(100000, 100000), 413, "picture_too_large"),
            ("bomb.gif", _gif_header(65535, 65535), 413, "picture_too_large"),
            ("broken.png", _png_header(10, 10, crc=False), 422, "bad_picture"),
        ):
            response = self._upload(started, name, data)
            self.assertEqual(
                (response.status_code, response.json()["error"]["code"]), (status, code), name
            )
        # What a 64-megapixel camera makes is no bomb (this one holds no pixel data: the
        # host's resizing reads it as blank); a real picture the host resizes; a WebP
        # (which the host does not decode).
        for name, data in (
            ("camera.png", _png_header(9248, 6936)),
            ("photo.png", png_bytes((2400, 1600))),
            ("pic.webp", WEBP),
        ):
            self.assertEqual(self._upload(started, name, data).status_code, 200, name)
        self.assertEqual(self._upload(started, "small.gif", _gif_header(10, 10)).status_code, 200)

    def test_upload_refused(self):
        started = self.lc_start()
        session = self.lc_session(started)
        count = self.env["ir.attachment"].search_count(
            [("res_model", "=", "discuss.channel"), ("res_id", "=", session.id)]
        )
        # Web pages and scripts, whatever their name and whatever the channel allows.
        self.channel.file_allowed_types = "image/*,text/*,application/pdf"
        for name, data in (
            ("page.png", b"<html><body><script>alert(1)</script></body></html>"),
            ("pic.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'),
            ("run.exe", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200)),
        ):
            response = self._upload(started, name, data)
            self.assertEqual(response.status_code, 415, name)
            self.assertEqual(response.json()["error"]["code"], "file_type_refused")
        # A type the channel does not allow.
        self.channel.file_allowed_types = "image/*"
        response = self._upload(started, "notes.txt", b"Some notes\n")
        self.assertEqual(response.status_code, 415)
        # Too large.
        self.channel.write({"file_allowed_types": "text/plain", "file_max_size": 1})
        response = self._upload(started, "big.txt", b"a" * (1024 * 1024 + 1))
        self.assertEqual(response.status_code, 413)
        self.assertEqual(response.json()["error"]["code"], "file_too_large")
        self.assertEqual(self._upload(started, "ok.txt", b"a" * 1024).status_code, 200)
        # Files off.
        self.channel.file_max_size = 0
        response = self._upload(started, "ok.txt", b"a" * 10)
        self.assertEqual(response.status_code, 403)
        self.channel.file_max_size = 1
        # No file, no form, another session's token, another website.
        response = self.url_open(
            UPLOAD,
            data={"session_id": str(session.id), "token": started["token"]},
            headers={"Origin": self.base_url()},
        )
        self.assertEqual(response.status_code, 400)
        self.lc_call(UPLOAD, self._payload(started), status=400)
        other = self.lc_start(name="Other")
        self.assertEqual(
            self._upload({**started, "token": other["token"]}, "a.txt", b"abc").status_code, 404
        )
        self.channel.allowed_origins = "https://shop.example.com"
        response = self._upload(
            started, "a.txt", b"abc", headers={"Origin": "https://evil.example"}
        )
        self.assertEqual(response.status_code, 403)
        self.channel.allowed_origins = False
        # Only the accepted file was kept.
        self.assertEqual(
            self.env["ir.attachment"].search_count(
                [("res_model", "=", "discuss.channel"), ("res_id", "=", session.id)]
            ),
            count + 1,
        )
        # Rate limited.
        self.env["ir.config_parameter"].sudo().set_param("live_chat.rate_limit.upload_session", 1)
        third = self.lc_start(name="Third")
        self.assertEqual(self._upload(third, "a.txt", b"abc").status_code, 200)
        self.assertEqual(self._upload(third, "b.txt", b"abc").status_code, 429)
        # Ended.
        self.lc_call("/live_chat/session/close", self._payload(started))
        self.env["ir.config_parameter"].sudo().set_param("live_chat.rate_limit.upload_session", 0)
        self.assertEqual(self._upload(started, "c.txt", b"abc").status_code, 409)

    def test_operator_file_reaches_visitor(self):
        started = self.lc_start()
        session = self.lc_session(started)
        attachment = (
            self.env["ir.attachment"]
            .with_user(self.operator)
            .create(
                {
                    "name": "<i>price list</i>.pdf",
                    "raw": b"%PDF-1.4 price list",
                    "mimetype": "application/pdf",
                    "res_model": "discuss.channel",
                    "res_id": session.id,
                }
            )
        )
        self._operator_posts(session, "The price list", attachment)
        sent = self._bus(session._live_chat_bus_channel(), "live_chat/message")[-1]
        [shown] = sent["attachments"]
        self.assertEqual(shown["name"], "<i>price list</i>.pdf")
        self.assertFalse(shown["is_image"])
        response = self.url_open(shown["url"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"%PDF-1.4 price list")
        self.assertIn("attachment", response.headers["Content-Disposition"])
        self.assertEqual(response.headers["Content-Security-Policy"], "default-src 'none'")
        # The messages API gives the same link.
        messages = self.lc_call("/live_chat/session/messages", self._payload(started))["messages"]
        self.assertEqual(messages[-1]["attachments"], [shown])

    def test_nobody_else_reads_the_files(self):
        started = self.lc_start()
        session = self.lc_session(started)
        data = png_bytes()
        shown = self._upload(started, "mine.png", data).json()["message"]["attachments"][0]
        other = self.lc_start(name="Other")
        # The suite's route: the token is the file's own, nothing else opens it.
        wrong = [
            f"/live_chat/attachment/{shown['id']}/{other['token']}",
            f"/live_chat/attachment/{shown['id']}/x",
            f"/live_chat/attachment/{shown['id'] + 1}/{shown['url'].rsplit('/', 1)[1]}",
        ]
        # A file of another model with a token is no session's file.
        partner_file = self.env["ir.attachment"].create(
            {"name": "secret.txt", "raw": b"secret", "res_model": "res.partner", "res_id": 1}
        )
        partner_file.generate_access_token()
        wrong.append(f"/live_chat/attachment/{partner_file.id}/{partner_file.access_token}")
        for url in wrong:
            self.assertEqual(self.url_open(url).status_code, 404, url)
        # The host's routes, as the other visitor (their guest cookie) and as the
        # visitor themselves: the session is not theirs for the host.
        for guest_cookie in (other["guest"]["token"], started["guest"]["token"]):
            self.opener.cookies.clear()
            self.opener.cookies.set("dgid", guest_cookie)
            for url in (
                f"/web/content/{shown['id']}",
                f"/web/content/{shown['id']}?download=true",
                f"/web/image/{shown['id']}",
                f"/mail/attachment/pdf_first_page/{shown['id']}",
            ):
                response = self.url_open(url)
                # Refused, or the host's placeholder picture.
                self.assertNotEqual(response.content, data, url)
            # With the CSRF token any page of the server gives (the route checks it
            # first): the host's access rules are what refuses.
            response = self.url_open(
                "/mail/attachment/zip",
                data={
                    "file_ids": str(shown["id"]),
                    "zip_name": "x.zip",
                    "csrf_token": self.lc_csrf_token(),
                },
            )
            self.assertNotEqual(response.status_code, 200, "refused")
            self.assertNotIn(b"mine.png", response.content)
            self.assertNotIn(b"Session expired", response.content, "not refused for its token")
            deleted = self.url_open(
                "/mail/attachment/delete",
                json={"params": {"attachment_id": shown["id"]}},
            )
            self.assertNotIn(b'"result": null', deleted.content)
        self.assertTrue(self.env["ir.attachment"].browse(shown["id"]).exists())
        # The session's attachments through the host's channel route: not found.
        self.opener.cookies.set("dgid", started["guest"]["token"])
        response = self.url_open(
            "/discuss/channel/attachments", json={"params": {"channel_id": session.id}}
        )
        self.assertNotIn(b"mine.png", response.content)
