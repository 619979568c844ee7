#!/bin/sh
# web: migrate, then serve.py (WEB_PROCESSES daphne processes on PORT, WORKER_CLUSTERS
# clusters; the image sets WORKER_CLUSTERS=0, so clusters run in `worker` containers).
# worker: one django-q2 cluster.
set -e
cd /app
case "${1:-web}" in
  web)
    python manage.py migrate --noinput
    exec python serve.py
    ;;
  worker)
    exec python manage.py qcluster
    ;;
  *)
    exec "$@"
    ;;
esac
