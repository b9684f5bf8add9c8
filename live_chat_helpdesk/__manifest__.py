{
    "name": "Live Chat for Helpdesk",
    "version": "19.0.1.1.0",
    "category": "Website/Live Chat",
    "summary": "Give a Helpdesk team a live chat channel and turn chats into tickets",
    "author": "Live Chat for Odoo",
    "website": "https://github.com/live-chat-odoo/live_chat",
    "license": "LGPL-3",
    "depends": ["live_chat", "helpdesk_mgmt"],
    "data": [
        "data/helpdesk_ticket_channel_data.xml",
        "views/helpdesk_ticket_team_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/discuss_channel_views.xml",
        "report/live_chat_session_report_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "live_chat_helpdesk/static/src/backend/**/*",
        ],
        "web.assets_tests": [
            "live_chat_helpdesk/static/tests/tours/**/*",
        ],
    },
    "auto_install": True,
    "installable": True,
}
