{
    "name": "Live Chat",
    "version": "19.0.2.1.0",
    "category": "Website/Live Chat",
    "summary": "Chat in real time with the visitors of your websites",
    "author": "Live Chat for Odoo",
    "website": "https://github.com/live-chat-odoo/live_chat",
    "license": "LGPL-3",
    "depends": ["mail", "bus", "rating"],
    "external_dependencies": {"python": ["geoip2"]},
    "data": [
        "security/live_chat_groups.xml",
        "security/ir.model.access.csv",
        "security/live_chat_security.xml",
        "views/live_chat_channel_rule_views.xml",
        "views/live_chat_channel_views.xml",
        "views/discuss_channel_views.xml",
        "report/live_chat_session_report_views.xml",
        "views/live_chat_menus.xml",
        "views/live_chat_templates.xml",
        "data/live_chat_channel_data.xml",
        "data/live_chat_cron_data.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "live_chat/static/src/backend/**/*",
        ],
        "web.assets_tests": [
            "live_chat/static/tests/tours/**/*",
        ],
    },
    "application": True,
    "installable": True,
}
