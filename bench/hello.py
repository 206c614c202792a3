"""A bare Flask hello-world, served by bench/load.py under the same gunicorn settings as Relay.

Its request rate is the ceiling this machine and gunicorn give a Flask app: each Relay
page is reported as a share of it.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world!"
