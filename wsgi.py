"""The WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi ...`."""

from core import create_app

app = create_app()
