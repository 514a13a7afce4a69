"""gunicorn's settings for discsite: `gunicorn -c gunicorn.conf.py` serves the production settings.

Every value can be changed from the environment, so one file serves `make serve`,
`make bench` and a real deployment (docs/deploy.md):

    BIND             address to listen on (default 127.0.0.1:$PORT, PORT defaulting to 8000;
                     behind a proxy on another machine, or on a platform that sets PORT,
                     use BIND=0.0.0.0:$PORT)
    WEB_CONCURRENCY  worker processes (default 2: about one per core for sync workers)
    GUNICORN_TIMEOUT seconds before a stuck worker is killed and replaced (default 30)
    ACCESS_LOG       where the access log goes (default /dev/stderr; empty turns it off)
    MAX_REQUESTS     restart a worker after this many requests (default 0: never)
    CONTROL_SOCKET   path of gunicorn's control socket for `gunicornc` (default: none)
"""

import os

wsgi_app = "discsite.wsgi:application"  # which sets DJANGO_SETTINGS_MODULE=discsite.settings.production
bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"

# Sync workers: one request at a time per process, no threads. Django pages are CPU-bound
# on this site (templates, StreamField rendering), so more workers than cores buys nothing.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
max_requests = int(os.environ.get("MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# Workers' heartbeat files in memory, not on a disk that may stall (containers' /tmp can be overlayfs).
if os.path.isdir("/dev/shm"):  # noqa: S108 (gunicorn's documented choice; files are per-worker and private)
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# gunicorn 25+ opens a control socket for `gunicornc` at one path per user ($HOME/.gunicorn/gunicorn.ctl),
# so two servers on one machine (make serve and make bench, or the bench's site and its ceiling) would
# take it from each other. Off unless CONTROL_SOCKET names a path for this server.
if os.environ.get("CONTROL_SOCKET"):
    control_socket = os.environ["CONTROL_SOCKET"]
else:
    control_socket_disable = True

# Only the proxy on this machine may say the request came over HTTPS or from another address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stderr, for the process supervisor or container runtime to collect, one JSON object per
# line like Django's (discsite/logging.py); the access log's lines carry method, path, status, bytes
# and duration, never the query string or headers.
logger_class = "discsite.logging.GunicornLogger"
accesslog = os.environ.get("ACCESS_LOG", "/dev/stderr") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
