{
    "name": "Live Chat on Websites",
    "version": "19.0.1.0.0",
    "category": "Website/Live Chat",
    "summary": "Put the live chat on your Odoo websites from the Website settings",
    "author": "Live Chat for Odoo",
    "website": "https://github.com/live-chat-odoo/live_chat",
    "license": "LGPL-3",
    "depends": ["live_chat", "website"],
    "data": [],
    "auto_install": True,
    "installable": True,
}
