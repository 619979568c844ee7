#!/bin/sh
# web: migrate, collect the static files for the proxy (STATIC_ROOT), then serve.py
# (WEB_PROCESSES daphne processes on PORT, HTTP_WORKERS gunicorn workers on HTTP_PORT,
# WORKER_CLUSTERS clusters; the image sets WORKER_CLUSTERS=0, so clusters run in
# `worker` containers).
# worker: one django-q2 cluster.
set -e
cd /app
case "${1:-web}" in
  web)
    python manage.py migrate --noinput
    python manage.py collectstatic --noinput --verbosity 0
    exec python serve.py
    ;;
  worker)
    exec python manage.py qcluster
    ;;
  *)
    exec "$@"
    ;;
esac
