"""The demo content for browser tests: loaded once per worker, then copied back in.

Loading it takes seconds, and a third of the browser tests start from it on a database their
predecessor's flush emptied. On SQLite (the default, and each xdist worker's own database) the first
load is copied, the database with SQLite's backup API and the files it wrote under the test's media
folders, and later tests get the copy back in milliseconds; on PostgreSQL it is loaded each time.

The copy replaces the whole database, so a test takes the demo content before it makes anything of
its own.
"""

import atexit
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection


@dataclass(frozen=True)
class Copy:
    database: sqlite3.Connection
    files: Path


_copies: list[Copy] = []  # at most one: this worker's


def demo_content_load() -> None:
    """The demo content in the test database and its files in this test's media folders."""
    if connection.vendor != "sqlite":
        call_command("load_demo_content", verbosity=0)
        return
    connection.ensure_connection()
    if _copies:
        _restore(_copies[0])
    else:
        call_command("load_demo_content", verbosity=0)
        _copies.append(_take())
    # The copy's content type ids, not those the last flush made.
    ContentType.objects.clear_cache()


def _media_folders() -> dict[str, Path]:
    private = settings.STORAGES["consultation_attachments"]["OPTIONS"]["location"]
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(private)}


def _take() -> Copy:
    database = sqlite3.connect(":memory:", check_same_thread=False)
    connection.connection.backup(database)
    files = Path(tempfile.mkdtemp(prefix="demo-content-"))
    atexit.register(shutil.rmtree, files, ignore_errors=True)
    for name, folder in _media_folders().items():
        if folder.exists():
            shutil.copytree(folder, files / name)
    return Copy(database=database, files=files)


def _restore(copy: Copy) -> None:
    copy.database.backup(connection.connection)
    for name, folder in _media_folders().items():
        if (copy.files / name).exists():
            shutil.copytree(copy.files / name, folder, dirs_exist_ok=True)
