"""The startup step: what a process needs on disk before it serves, made once, here.

Every way FocusHub runs goes through django.setup(), which calls AppConfig.ready():
daphne (asgi.py), every manage.py command (migrate, qcluster, seed_demo), pytest-django
and the Dockerfile's entrypoint. bin/run and the Dockerfile are only two of those paths,
and asgi.py misses manage.py, so this is the one place none of them can skip. The settings
module stays free of side effects (focushub/settings.py) and ready() does the creating:
the data folders and, in embedded mode without SECRET_KEY, the generated key.
"""

import os
import secrets
import tempfile
from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


def data_folders_create() -> None:
    """The folders the settings name: the SQLite database and the generated key live in
    DATA_DIR, WhiteNoise expects STATIC_ROOT, avatars and badge images go to MEDIA_ROOT."""
    for folder in (settings.DATA_DIR, settings.STATIC_ROOT, settings.MEDIA_ROOT):
        Path(folder).mkdir(parents=True, exist_ok=True)


def generated_secret_key(key_file: Path) -> str:
    """The embedded mode's key: generated on the first start, the same on every later one.

    Written to a private temporary file (mkstemp: mode 0600 from its creation, never
    readable by others) and linked into place: link() fails if the key exists, so when
    daphne and the cluster start together on a fresh folder both keep the one that won."""
    if not key_file.exists():
        descriptor, draft = tempfile.mkstemp(dir=key_file.parent, prefix=f".{key_file.name}.")
        with os.fdopen(descriptor, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_urlsafe(50))
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    return key_file.read_text(encoding="utf-8").strip()


class FocusHubConfig(AppConfig):
    name = "focushub"
    label = "focushub"
    verbose_name = "FocusHub"

    def ready(self) -> None:
        data_folders_create()
        if settings.GENERATED_SECRET_KEY_FILE:
            settings.SECRET_KEY = generated_secret_key(settings.GENERATED_SECRET_KEY_FILE)
