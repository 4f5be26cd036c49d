"""weconomics restore: an archive of `weconomics backup` back into this instance."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from weconomics.ops.archive import BackupError, vendor_name
from weconomics.ops.restore import restore_backup


class Command(BaseCommand):
    help = ("Restore a backup archive: the database, uploads and keys. Stop the server "
            "first. Refuses an instance that holds data unless --force.")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The .tar.gz archive to restore.")
        parser.add_argument("--force", action="store_true",
                            help="Replace an instance that already holds accounts or uploads.")
        parser.add_argument("--check", action="store_true",
                            help="Only check the archive (checksums, database, row counts); "
                                 "change nothing.")
        parser.add_argument("--host", default=os.environ.get("WECONOMICS_HOST", "127.0.0.1"),
                            help="Where this instance's server listens; restore refuses while "
                                 "a server answers there.")
        parser.add_argument("--port", type=int,
                            default=int(os.environ.get("WECONOMICS_PORT", "8000")))

    def handle(self, *args, archive, force, check, host, port, **options):
        try:
            restored = restore_backup(archive, force=force, host=host, port=port,
                                      check_only=check)
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = restored.manifest
        what = (f"{vendor_name(manifest['database']['vendor'])} database of "
                f"{manifest['created_at']}, {len(manifest['tables'])} tables, "
                f"{restored.rows} rows, {len(manifest['files']) - 1} data files")
        if check:
            self.stdout.write(f"{archive} is a complete backup: {what}. Nothing was changed.")
            return
        self.stdout.write(f"Restored {archive} ({what}) in {restored.seconds:.1f} s.")
        for note in restored.notes:
            self.stdout.write(f"Note: {note}")
        self.stdout.write("Start the server again (weconomics serve applies any newer "
                          "migrations first).")
