import json
import threading
import time
from unittest.mock import patch

import requests

from odoo.tests import HttpCase, tagged
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME, ChromeBrowser

from .common import LiveChatCommon

COMMENT = "<i>Fast</i> & kind"


@tagged("post_install", "-at_install")
class TestRatingUi(LiveChatCommon, HttpCase):
    def _visitor_request(self, visitor, route, payload):
        """The widget's request, from the visitor's thread: over HTTP with a client of
        its own (the test's opener and environment belong to the test's thread)."""
        response = visitor.post(
            self.base_url() + route,
            data=json.dumps(payload),
            headers={"Content-Type": "text/plain"},
            timeout=30,
        )
        return response.status_code, response.json()

    def test_operator_sees_the_rating(self):
        operator = self._create_operator("lc_rating_ui_operator", name="Rosa Operator")
        self.channel = self._create_channel(operator, "Rated Support")
        self._set_presence(operator)
        started = self.lc_start(name="Rita Rater")
        session = self.lc_session(started)
        payload = {"session_id": session.id, "token": started["token"]}
        outcome = {}

        def visitor_rates_once_ended():
            """The visitor's widget: rate as soon as the operator has ended the chat."""
            try:
                visitor = requests.Session()
                # The test's current key: its requests go through the test's cursor.
                visitor.cookies.set(TEST_CURSOR_COOKIE_NAME, self.http_request_key)
                deadline = time.monotonic() + 90
                while time.monotonic() < deadline:
                    _status, answer = self._visitor_request(
                        visitor, "/live_chat/session/messages", payload
                    )
                    if answer["session"]["state"] == "closed":
                        outcome["status"], _answer = self._visitor_request(
                            visitor,
                            "/live_chat/session/rate",
                            {**payload, "rating": 5, "comment": COMMENT},
                        )
                        return
                    time.sleep(0.5)
                outcome["status"] = "the chat never ended"
            except Exception as error:  # noqa: BLE001 - reported in the test's thread
                outcome["status"] = repr(error)

        thread = threading.Thread(target=visitor_rates_once_ended)
        navigate_to = ChromeBrowser.navigate_to

        def navigate_and_start(browser, url, wait_stop=False):
            # Once the operator's browser is logged in and on its page: the test's
            # thread then only waits for the tour, the visitor's requests may come.
            navigate_to(browser, url, wait_stop=wait_stop)
            if thread.ident is None:
                thread.start()

        try:
            with patch.object(ChromeBrowser, "navigate_to", navigate_and_start):
                self.start_tour(
                    "/odoo/action-live_chat.live_chat_channel_action",
                    "live_chat_rating_tour",
                    login=operator.login,
                    timeout=120,
                )
        finally:
            if thread.is_alive():
                thread.join(100)
        self.assertEqual(outcome.get("status"), 200)
        session.invalidate_recordset()
        self.assertEqual(session.live_chat_rating, "5")
        self.assertEqual(session.live_chat_rating_comment, COMMENT)
