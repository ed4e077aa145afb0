"""The ceiling: a bare Flask app returning 20 KB, served by gunicorn with the portal's settings.

Every figure of the benchmark is also given as a share of this app's requests per second,
measured in the same run, so that a busy machine slows the ceiling and the portal alike.
"""
from flask import Flask, Response

BODY = (b"<p>" + b"x" * 1016 + b"</p>\n") * 20  # 20 KB of HTML-ish bytes

app = Flask(__name__)


@app.route("/")
def index() -> Response:
    return Response(BODY, mimetype="text/html")
