"""Translations: every text of the suite is translated in each <module>/i18n/<lang>.po
(Ukrainian first), nothing stale there; a Ukrainian database shows the documentation's
words, and a visitor whose browser prefers Ukrainian gets the widget in Ukrainian."""

import re
from pathlib import Path

import polib
from lxml import etree

from odoo.modules.module import get_module_path
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools.translate import TRANSLATED_ATTRS, TranslationModuleReader

from .common import SUITE_MODULES, LiveChatOperatorCommon, load_language
from .visitor_browser import VisitorBrowser, shared_cursor

# printf placeholders of Python and JavaScript texts: %s, %(name)s, %%.
PLACEHOLDER_RE = re.compile(r"%(?:\([^)]*\))?[sdfr%]")
MAX_LISTED = 15

# What Ukrainian says for the default channel (data/live_chat_channel_data.xml).
UK_BUTTON_TEXT = "Маєте запитання? Напишіть нам у чат."
UK_WELCOME = "Вітаємо! Чим ми можемо вам допомогти?"
UK_PLACEHOLDER = "Скажи щось…"


def _is_markup(term):
    """Whether a view term is XML (text and tags), not the plain text of an attribute."""
    try:
        etree.fromstring(f"<div>{term}</div>")
    except etree.XMLSyntaxError:
        return False
    return True


def _markup(term):
    """The tags of a view term, with their attributes that are not translated."""
    root = etree.fromstring(f"<div>{term}</div>")
    return [
        (node.tag, sorted((k, v) for k, v in node.attrib.items() if k not in TRANSLATED_ATTRS))
        for node in root.iter()
    ]


def _foreign_model_term(kind, name):
    """Whether a term is another module's field of one of the module's models'
    ``ir.model`` records (Website's form label of the leads...): that module's text,
    there or not as it is installed (tools/i18n_sync.py leaves them out by the same rule:
    change both together)."""
    return kind == "model" and name.startswith("ir.model,") and name != "ir.model,name"


@tagged("post_install", "-at_install")
class TestTranslationFiles(TransactionCase):
    """The .pot and every .po of each module of the suite against what the code and the
    database really hold, as Odoo's own exporter finds it (not the committed .pot)."""

    def _exported(self, module):
        """{source term: {kinds}} of ``module``: code, model, model_terms."""
        terms = {}
        reader = TranslationModuleReader(self.env.cr, modules=[module])
        for mod, kind, name, _res_id, src, _value, _comments in reader:
            if mod == module and not _foreign_model_term(kind, name):
                terms.setdefault(src, set()).add(kind)
        return terms

    def _problems(self, exported, pofile):
        entries = {entry.msgid: entry for entry in pofile if not entry.obsolete}
        problems = {
            "missing (not in the file)": sorted(set(exported) - set(entries)),
            "stale (no longer in the code)": sorted(set(entries) - set(exported)),
            "untranslated or fuzzy": sorted(
                msgid
                for msgid, entry in entries.items()
                if msgid in exported and (not entry.msgstr or entry.fuzzy)
            ),
            "placeholders differ": [],
            "markup differs": [],
        }
        for msgid, entry in entries.items():
            if msgid not in exported or not entry.msgstr:
                continue
            if sorted(PLACEHOLDER_RE.findall(msgid)) != sorted(
                PLACEHOLDER_RE.findall(entry.msgstr)
            ):
                problems["placeholders differ"].append(msgid)
            if "model_terms" in exported[msgid] and _is_markup(msgid):
                try:
                    same = _markup(msgid) == _markup(entry.msgstr)
                except etree.XMLSyntaxError:
                    same = False
                if not same:
                    problems["markup differs"].append(msgid)
        return {kind: msgids for kind, msgids in problems.items() if msgids}

    def _report(self, path, problems):
        lines = [f"{path} is not complete and current; run tools/i18n.sh, then translate:"]
        for kind, msgids in problems.items():
            lines.append(f"  {len(msgids)} {kind}:")
            lines += [f"    {msgid!r}" for msgid in msgids[:MAX_LISTED]]
            if len(msgids) > MAX_LISTED:
                lines.append(f"    ... and {len(msgids) - MAX_LISTED} more")
        return "\n".join(lines)

    def test_every_text_translated_nothing_stale(self):
        installed = self.env["ir.module.module"].search(
            [("name", "in", SUITE_MODULES), ("state", "=", "installed")]
        )
        self.assertIn("live_chat", installed.mapped("name"))
        checked = []
        for module in installed.mapped("name"):
            exported = self._exported(module)
            self.assertTrue(exported, f"no translatable text found in {module}")
            i18n = Path(get_module_path(module)) / "i18n"
            po_paths = sorted(i18n.glob("*.po"))
            with self.subTest(module=module):
                self.assertIn(i18n / "uk.po", po_paths, f"{module} has no uk.po")
            for path in [i18n / f"{module}.pot", *po_paths]:
                with self.subTest(file=f"{module}/i18n/{path.name}"):
                    problems = self._problems(exported, polib.pofile(str(path)))
                    # The .pot only lists the terms: only missing and stale ones matter.
                    if path.suffix == ".pot":
                        problems.pop("untranslated or fuzzy", None)
                    self.assertFalse(problems, self._report(f"{module}/i18n/{path.name}", problems))
                checked.append(path.name)
        self.assertIn("uk.po", checked)

    def test_the_check_sees_what_is_wrong(self):
        """The check itself: a missing, a stale, an untranslated, a fuzzy entry, a lost
        placeholder, broken markup are each found."""
        exported = {
            "Send": {"code"},
            "Visitor #%s": {"code"},
            "<span>seconds</span>": {"model_terms"},
            "Hide": {"model"},
            "New text": {"code"},
        }
        pofile = polib.POFile()
        for msgid, msgstr in (
            ("Send", "Надіслати"),
            ("Visitor #%s", "Відвідувач"),
            ("<span>seconds</span>", "<b>секунд</b>"),
            ("Hide", ""),
            ("Gone text", "Зниклий текст"),
        ):
            pofile.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
        fuzzy = polib.POEntry(msgid="New text", msgstr="Старий текст", flags=["fuzzy"])
        pofile.append(fuzzy)
        self.assertEqual(
            self._problems(exported, pofile),
            {
                "stale (no longer in the code)": ["Gone text"],
                "untranslated or fuzzy": ["Hide", "New text"],
                "placeholders differ": ["Visitor #%s"],
                "markup differs": ["<span>seconds</span>"],
            },
        )
        pofile.remove(fuzzy)
        self.assertEqual(
            self._problems(exported, pofile)["missing (not in the file)"], ["New text"]
        )


@tagged("post_install", "-at_install")
class TestUkrainian(LiveChatOperatorCommon, HttpCase):
    """Ukrainian installed after the suite (as `res.lang` activation does): the back
    office in the documentation's words, the widget in the visitor's language."""

    operator_name = "Olena Operator"
    channel_values = {
        "button_text": "Need help?",
        "default_message": "Hi there!",
        "input_placeholder": "Type here",
    }
    operator_online = False  # each test says

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_language(cls.env, "uk_UA")
        cls.default_channel = cls.env.ref("live_chat.live_chat_channel_default")

    def _init(self, channel, lang):
        return self.lc_call(f"/live_chat/init/{channel.id}", {"lang": lang, "url": "/"})

    def test_default_channel_texts(self):
        uk = self.default_channel.with_context(lang="uk_UA")
        self.assertEqual(
            (uk.button_text, uk.default_message, uk.input_placeholder),
            (UK_BUTTON_TEXT, UK_WELCOME, UK_PLACEHOLDER),
        )
        # The units of a file's size in its link.
        talk = uk._live_chat_talk_options()["texts"]
        self.assertEqual((talk["size_mb"], talk["size_kb"]), ("%s МБ", "%s КБ"))
        en = self.default_channel.with_context(lang="en_US")
        self.assertEqual(
            (en.button_text, en.default_message, en.input_placeholder),
            ("Questions? Chat with us.", "Hello! How can we help you today?", "Say something..."),
        )

    def test_message_left_in_the_teams_language(self):
        """A message left in the offline form: the team's email in the team's language
        (its operators'), the visitor's confirmation in the visitor's."""
        self.operator.lang = "uk_UA"
        self.channel.write({"offline_mode": "form", "offline_email": "team@example.com"})
        self.lc_call(
            f"/live_chat/offline/{self.channel.id}",
            {"name": "Vira", "email": "vira@example.com", "message": "Hi", "lang": "en-US"},
        )
        mails = self.env["mail.mail"].search([("subject", "like", self.channel.name)])
        to_team = mails.filtered(lambda mail: mail.email_to == "team@example.com")
        self.assertEqual(to_team.subject, f"{self.channel.name}: повідомлення від Vira")
        self.assertIn("Від:", to_team.body_html)
        self.assertEqual((mails - to_team).subject, f"{self.channel.name}: we have your message")
        # Refused for want of an address to send it to: the visitor is told in theirs.
        self.channel.offline_email = False
        self.operator.email = False
        error = self.lc_call(
            f"/live_chat/offline/{self.channel.id}",
            {"name": "Vira", "email": "vira@example.com", "message": "Hi", "lang": "en-US"},
            status=503,
        )["error"]
        self.assertEqual(
            (error["code"], error["message"]),
            ("no_destination", "This channel cannot take messages right now."),
        )

    def test_widget_in_the_browser_language(self):
        for lang in ("uk-UA", "uk", "uk_UA"):
            with self.subTest(lang=lang):
                options = self._init(self.default_channel, lang)["options"]
                self.assertEqual(options["lang"], "uk-UA")
                self.assertEqual(options["button_text"], UK_BUTTON_TEXT)
                self.assertEqual(options["default_message"], UK_WELCOME)
                self.assertEqual(options["input_placeholder"], UK_PLACEHOLDER)
                self.assertEqual(options["texts"]["send"], "Надіслати")
                self.assertEqual(options["texts"]["end_chat"], "Завершити чат")
        # A language that is not installed: the channel's own language.
        options = self._init(self.default_channel, "de-DE")["options"]
        self.assertEqual(options["lang"], "en-US")
        self.assertEqual(options["input_placeholder"], "Say something...")
        self.assertEqual(options["texts"]["send"], "Send")

    def test_channel_texts_translated_or_not(self):
        # No Ukrainian of the channel's own texts yet: they show as written, the
        # widget's own texts in Ukrainian.
        options = self._init(self.channel, "uk-UA")["options"]
        self.assertEqual(options["input_placeholder"], "Type here")
        self.assertEqual(options["texts"]["send"], "Надіслати")
        self.channel.with_context(lang="uk_UA").input_placeholder = "Пишіть тут"
        self.assertEqual(
            self._init(self.channel, "uk-UA")["options"]["input_placeholder"], "Пишіть тут"
        )
        self.assertEqual(
            self._init(self.channel, "en-GB")["options"]["input_placeholder"], "Type here"
        )

    def test_errors_and_notices_in_ukrainian(self):
        self._set_presence(self.operator, status="offline")
        refused = self.lc_call(
            "/live_chat/session/start",
            {"channel_id": self.channel.id, "body": "Привіт", "lang": "uk-UA"},
            status=503,
        )
        self.assertEqual(
            refused["error"]["message"],
            "Зараз немає вільного оператора. Спробуйте, будь ласка, пізніше.",
        )
        self._set_presence(self.operator)
        started = self.lc_start(body="Привіт", lang="uk-UA")
        session = self.lc_session(started)
        self.assertEqual(session.live_chat_lang, "uk_UA")
        self.assertEqual(session.live_chat_visitor_name, f"Відвідувач №{started['guest']['id']}")
        ids = {"session_id": session.id, "token": started["token"], "lang": "uk-UA"}
        empty = self.lc_call("/live_chat/session/post", {**ids, "body": " "}, status=422)
        self.assertEqual(empty["error"]["message"], "Повідомлення порожнє.")
        closed = self.lc_call("/live_chat/session/close", ids)["session"]
        self.assertEqual(closed["state"], "closed")
        messages = self.lc_call("/live_chat/session/messages", ids)["messages"]
        # The visitor reads their own notice as "You ended the chat.", in their language.
        self.assertIn("Ви завершили чат.", messages[-1]["body"])
        late = self.lc_call("/live_chat/session/post", {**ids, "body": "Ще"}, status=409)
        self.assertEqual(late["error"]["message"], "Цей чат завершено.")
        unknown = self.lc_call(
            "/live_chat/session/post", {**ids, "token": "x", "body": "Ще"}, status=404
        )
        self.assertEqual(unknown["error"]["message"], "Такого сеансу немає.")

    def test_operator_closing_notice_in_the_visitor_language(self):
        """The operator works in English; the visitor reads Ukrainian."""
        self._set_presence(self.operator)
        started = self.lc_start(body="Привіт", lang="uk-UA")
        session = self.lc_session(started)
        session.with_user(self.operator).action_live_chat_close()
        notice = session._live_chat_message_page()["messages"][-1]
        self.assertEqual(notice["kind"], "closed")
        self.assertIn("Olena завершує розмову.", notice["body"])

    def test_back_office_in_ukrainian(self):
        manager = new_test_user(
            self.env,
            "lc_uk_manager",
            groups="live_chat.live_chat_group_manager",
            name="Mykola Manager",
            lang="uk_UA",
        )
        before = self.default_channel.read(["name", "user_ids", "rule_ids", "write_date"])
        self.start_tour("/odoo", "live_chat_ukrainian_back_office", login=manager.login)
        self.default_channel.invalidate_recordset()
        # The tour looked and discarded: nothing changed.
        self.assertEqual(
            self.default_channel.read(["name", "user_ids", "rule_ids", "write_date"]), before
        )

    def test_visitor_widget_in_ukrainian(self):
        """A visitor whose browser prefers Ukrainian, on the default channel's chat page:
        the texts, an error, the conversation and its end in Ukrainian."""
        admin = self.env.ref("base.user_admin")
        self._set_presence(admin, status="offline")
        visitor = VisitorBrowser(self)
        self.addCleanup(visitor.stop)
        visitor.prefer_language("uk-UA,uk")
        with self.allow_requests(browser=visitor.browser, all_requests=True):
            visitor.open(f"/live_chat/support/{self.default_channel.id}")
            shown = visitor.run(
                """
                const root = await waitFor(widgetRoot, "the chat widget", 20000);
                await waitFor(() => root.querySelector(".win:not([hidden])"), "the window");
                const input = root.querySelector(".input");
                const shown = {
                    navigator: navigator.language,
                    lang: document.querySelector("[data-live-chat]").getAttribute("lang"),
                    welcome: root.querySelector(".welcome").lastChild.textContent,
                    placeholder: input.placeholder,
                    send: root.querySelector(".send").textContent,
                };
                // Nobody is online: the message is refused, in Ukrainian.
                input.value = "Добрий день";
                root.querySelector(".foot").requestSubmit();
                const retry = await waitFor(() => root.querySelector(".retry"), "the retry button");
                shown.retry = retry.textContent;
                shown.status = root.querySelector(".status").textContent;
                return shown;
                """
            )
            self.assertEqual(
                shown,
                {
                    "navigator": "uk-UA",
                    "lang": "uk-UA",
                    "welcome": UK_WELCOME,
                    "placeholder": UK_PLACEHOLDER,
                    "send": "Надіслати",
                    "retry": "Не надіслано. Повторити",
                    "status": "Зараз немає вільного оператора. Спробуйте, будь ласка, пізніше.",
                },
            )
            # The test's cursor is shared with the browsers' requests (the page's
            # favicon may still be loading): take its lock to write.
            with shared_cursor(self.env):
                self._set_presence(admin)
            ended = visitor.run(
                """
                const root = widgetRoot();
                root.querySelector(".retry").click();
                const end = await waitFor(
                    () => root.querySelector(".end:not([hidden])"), "the session");
                await waitFor(
                    () => root.querySelector(".msg.me:not(.pending):not(.failed)"), "the message");
                const endText = end.textContent;
                end.click();
                root.querySelector(".confirm .yes").click();
                const again = await waitFor(
                    () => root.querySelector(".again:not([hidden])"), "the end");
                const note = await waitFor(() => root.querySelector(".note"), "the notice");
                return {end: endText, again: again.textContent, note: note.textContent};
                """
            )
        session = self.env["discuss.channel"].search(
            [("live_chat_channel_id", "=", self.default_channel.id)]
        )
        self.assertEqual(session.live_chat_lang, "uk_UA")
        self.assertEqual(
            ended,
            {
                "end": "Завершити чат",
                "again": "Почати новий чат",
                "note": "Ви завершили чат.",
            },
        )
