"""gunicorn's settings for Relay, read by relay-web@.service (`gunicorn --config ...`).

The address comes from the command line (`--bind 127.0.0.1:PORT`, one instance per port)
and everything Relay itself reads from /etc/relay/relay.env.
"""

import os

# Worker processes per instance, each serving one request at a time (WEB_CONCURRENCY in
# relay.env; gunicorn's own default reads the same variable).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A worker silent this long is killed (gunicorn's default, made visible): the report PDF
# stops itself sooner (REPORT_PDF_SECONDS, 15) and answers 503 rather than a dropped
# connection.
timeout = 30

# One line per request on stdout (the journal), with the client address nginx forwarded.
accesslog = "-"
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms'

# gunicorn 25 and later open a control socket, by default in ~/.gunicorn/ and so shared by
# every instance one user runs: each instance keeps its own in its systemd runtime directory
# (RuntimeDirectory=), and none is opened without one. Older gunicorns ignore both names.
runtime_directory = os.environ.get("RUNTIME_DIRECTORY")
control_socket_disable = runtime_directory is None
if runtime_directory is not None:
    control_socket = os.path.join(runtime_directory, "gunicorn.ctl")
