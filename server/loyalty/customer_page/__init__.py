"""The customer's own page: reached through a signed, expiring link (itsdangerous) from an email or from "email
me my link"; shows the member card's QR, punch cards, points, rewards, recent activity and consent switches.
Plain HTML forms: it works without JavaScript."""


def init_app(app):
    from .views import bp

    app.register_blueprint(bp)
