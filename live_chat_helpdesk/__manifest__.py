{
    "name": "Live Chat for Helpdesk",
    "version": "19.0.1.0.0",
    "category": "Website/Live Chat",
    "summary": "Give a Helpdesk team a live chat channel and turn chats into tickets",
    "author": "Live Chat for Odoo",
    "website": "https://github.com/live-chat-odoo/live_chat",
    "license": "LGPL-3",
    "depends": ["live_chat", "helpdesk_mgmt"],
    "data": [],
    "auto_install": True,
    "installable": True,
}
