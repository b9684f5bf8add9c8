{
    "name": "Live Chat for CRM",
    "version": "19.0.1.0.0",
    "category": "Website/Live Chat",
    "summary": "Turn live chats and the messages visitors leave into CRM leads",
    "author": "Live Chat for Odoo",
    "website": "https://github.com/live-chat-odoo/live_chat",
    "license": "LGPL-3",
    "depends": ["live_chat", "crm"],
    "data": [
        "views/live_chat_channel_views.xml",
        "views/discuss_channel_views.xml",
        "views/crm_lead_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "live_chat_crm/static/src/backend/**/*",
        ],
        "web.assets_tests": [
            "live_chat_crm/static/tests/tours/**/*",
        ],
    },
    "auto_install": True,
    "installable": True,
}
