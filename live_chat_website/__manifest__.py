{
    "name": "Live Chat on Websites",
    "version": "19.0.1.0.0",
    "category": "Website/Live Chat",
    "summary": "Put the live chat on your Odoo websites from the Website settings",
    "author": "Live Chat for Odoo",
    "website": "https://github.com/live-chat-odoo/live_chat",
    "license": "LGPL-3",
    "depends": ["live_chat", "website"],
    "data": [
        "views/res_config_settings_views.xml",
        "views/website_templates.xml",
        "views/discuss_channel_views.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "live_chat_website/static/src/frontend/**/*",
        ],
        "web.assets_backend": [
            "live_chat_website/static/src/backend/**/*",
        ],
        "web.assets_tests": [
            "live_chat_website/static/tests/tours/**/*",
        ],
    },
    "auto_install": True,
    "installable": True,
}
