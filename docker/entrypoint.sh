#!/bin/sh
# web: migrate, then serve with daphne. worker: run the django-q2 cluster.
set -e
cd /app
case "${1:-web}" in
  web)
    python manage.py migrate --noinput
    exec daphne -b 0.0.0.0 -p "${PORT:-8000}" --proxy-headers asgi:application
    ;;
  worker)
    exec python manage.py qcluster
    ;;
  *)
    exec "$@"
    ;;
esac
