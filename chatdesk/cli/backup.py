"""`chatdesk backup PATH` and `chatdesk restore PATH`: the database and the uploaded files in one archive.

The archive is a tar of `chatdesk-backup.json` (what it is), `database.dump` (pg_dump's custom
format of the `chatdesk` schema, one consistent snapshot taken while chatdesk may go on serving),
`files/` (the data dir's uploads, copied after the dump, so every file the dump names is there) and
`secret_key` (the data dir's signing key, when it has one: visitors stay signed in after a restore).
The PostgreSQL tools are the bundled PostgreSQL's (`embedded.postgres_tool`).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import typer
from sqlalchemy import text
from sqlalchemy.engine import make_url

from chatdesk.cli.common import DataDirOption, console, errors, load_settings
from chatdesk.cli.embedded import postgres_tool
from chatdesk.cli.provision import embedded_as_needed
from chatdesk.config import SECRET_KEY_FILE, Settings, transaction_pooled
from chatdesk.db.engine import create_engine
from chatdesk.db.tables import SCHEMA

MANIFEST = "chatdesk-backup.json"
DUMP = "database.dump"
FILES = "files"
FORMAT = 1


class BackupError(Exception):
    """What went wrong, in words for the operator."""


def backup(
    path: Path = typer.Argument(..., help="The archive to write (a .tar file)."),
    data_dir: str = DataDirOption,
) -> None:
    """Write the database and the uploaded files into one archive (read back with `chatdesk restore`)."""
    settings = load_settings(data_dir=data_dir)
    _plainly(lambda: _backup(settings, path.expanduser().resolve()))
    console.print(f"Backup written to [bold]{path}[/bold]")


def restore(
    path: Path = typer.Argument(..., help="An archive written by `chatdesk backup`."),
    data_dir: str = DataDirOption,
) -> None:
    """Restore a backup into an empty data dir (and DATABASE_URL's empty database, when it is set)."""
    settings = load_settings(data_dir=data_dir)
    _plainly(lambda: _restore(settings, path.expanduser().resolve()))
    console.print(f"Restored into [bold]{settings.data_dir}[/bold]; start it with `chatdesk up`")


def _plainly(work) -> None:
    try:
        work()
    except BackupError as error:
        errors.print(f"[red]Error:[/red] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def _backup(settings: Settings, path: Path) -> None:
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory")
    with embedded_as_needed(settings, redis=False) as ready, tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / DUMP
        _postgres("pg_dump", ready.required("database_url"), "--format=custom", f"--schema={SCHEMA}",
                  f"--file={dump}")
        partial = path.with_name(path.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the signing key
        with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode="w") as archive:
            manifest = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(), "schema": SCHEMA}
            _add_bytes(archive, MANIFEST, json.dumps(manifest).encode())
            archive.add(dump, DUMP)
            _add_files(archive, settings.data_dir / FILES)
            if (settings.data_dir / SECRET_KEY_FILE).is_file():
                archive.add(settings.data_dir / SECRET_KEY_FILE, SECRET_KEY_FILE)
        partial.replace(path)


def _restore(settings: Settings, path: Path) -> None:
    data_dir = settings.data_dir
    if data_dir.exists() and any(data_dir.iterdir()):
        raise BackupError(f"{data_dir} is not empty. A backup is restored into an empty data dir: give another "
                          "with --data-dir (or CHATDESK_DATA_DIR), or move this one away first")
    with _opened(path) as archive, tempfile.TemporaryDirectory() as scratch:
        archive.extract(DUMP, scratch, filter="data")
        data_dir.mkdir(parents=True, exist_ok=True)
        with embedded_as_needed(settings, redis=False) as ready:
            url = ready.required("database_url")
            if asyncio.run(_has_schema(url)):
                raise BackupError(f"the database at DATABASE_URL already holds chatdesk's `{SCHEMA}` schema. "
                                  "A backup is restored into an empty database")
            _postgres("pg_restore", url, "--exit-on-error", "--no-owner", "--no-privileges",
                      str(Path(scratch) / DUMP))
        kept = [member for member in archive.getmembers()
                if member.name == SECRET_KEY_FILE or member.name.startswith(FILES + "/")]
        archive.extractall(data_dir, members=kept, filter="data")


@contextmanager
def _opened(path: Path) -> Iterator[tarfile.TarFile]:
    """The archive, checked to be a chatdesk backup this code can read."""
    try:
        archive = tarfile.open(path)  # noqa: SIM115 - closed below, once its manifest is read
    except (OSError, tarfile.TarError):
        raise BackupError(f"{path} is not a backup written by `chatdesk backup`") from None
    with archive:
        try:
            manifest = json.load(archive.extractfile(MANIFEST) or io.BytesIO(b"{}"))
        except (KeyError, ValueError, tarfile.TarError):
            raise BackupError(f"{path} is not a backup written by `chatdesk backup`") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{path} is a backup of format {manifest.get('format')}; this chatdesk reads "
                              f"format {FORMAT}")
        yield archive


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _add_files(archive: tarfile.TarFile, root: Path) -> None:
    """The uploads, without uploads in progress (`.incoming`); a file deleted meanwhile is skipped."""
    for file in sorted(root.rglob("*")) if root.is_dir() else []:
        relative = file.relative_to(root)
        if relative.parts[0] == ".incoming" or not file.is_file():
            continue
        try:
            archive.add(file, f"{FILES}/{relative}")
        except FileNotFoundError:
            continue


async def _has_schema(url: str) -> bool:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": SCHEMA})
            return found.first() is not None
    finally:
        await engine.dispose()


def _postgres(tool: str, database_url: str, *args: str) -> None:
    """Run pg_dump or pg_restore on the database, the password in the environment (not on the command line)."""
    if transaction_pooled(database_url):
        raise BackupError(f"{tool} needs a session of its own, which a transaction pooler does not keep: point "
                          "DATABASE_URL at the direct connection (or the session pooler, port 5432) for this")
    url = make_url(database_url.replace("postgres://", "postgresql://", 1))
    query = {name: value for name, value in url.query.items() if name != "pgbouncer"}
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    plain = url.set(drivername="postgresql", password=None, query=query).render_as_string(hide_password=False)
    done = subprocess.run([str(postgres_tool(tool)), f"--dbname={plain}", *args], env=env, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip() or done.returncode}")
