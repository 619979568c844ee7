# FocusHub server image. The same image runs the web server (default command: serve.py,
# WEB_PROCESSES daphne processes on PORT and HTTP_WORKERS gunicorn workers on HTTP_PORT,
# docs/deploy.md) and, with `docker run IMAGE worker`, a django-q2 cluster. compose.yaml
# puts nginx in front.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FOCUSHUB_DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=8000 \
    WORKER_CLUSTERS=0

WORKDIR /app
RUN useradd --create-home --uid 1000 focushub && mkdir -p /data && chown focushub /data

COPY pyproject.toml README.md ./
COPY focushub ./focushub
COPY realtime ./realtime
COPY api ./api
COPY workers ./workers
COPY asgi.py wsgi.py manage.py serve.py ./
COPY docker/entrypoint.sh /usr/local/bin/focushub-entrypoint
RUN pip install --no-cache-dir . && chmod +x /usr/local/bin/focushub-entrypoint

USER focushub
VOLUME ["/data"]
EXPOSE 8000 8001
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,os;urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz')"
ENTRYPOINT ["focushub-entrypoint"]
CMD ["web"]
