from odoo.addons.live_chat.tests.common import LiveChatOperatorCommon


class WebsiteChatCommon(LiveChatOperatorCommon):
    """The website's chat: its channel (``channel``) on the current website
    (``website``), an operator online, and the host's tracking of page views."""

    channel_values = {"name": "Website Support"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The host tracks page views only outside read-only requests.
        cls.set_registry_readonly_mode(False)
        cls.website = cls.env["website"].get_current_website()
        cls.website.live_chat_channel_id = cls.channel

    @classmethod
    def _create_page(cls, key, name, url):
        """A published page of the website whose views the host tracks."""
        view = cls.env["ir.ui.view"].create(
            {
                "name": name,
                "type": "qweb",
                "key": f"live_chat_website.test_{key}",
                "arch": f'<t t-name="live_chat_website.test_{key}">'
                '<t t-call="website.layout"><p>A page</p></t></t>',
            }
        )
        return cls.env["website.page"].create(
            {
                "view_id": view.id,
                "url": url,
                "name": name,
                "website_published": True,
                "track": True,
                "website_id": cls.website.id,
            }
        )
