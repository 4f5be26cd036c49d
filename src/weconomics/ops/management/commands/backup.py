"""weconomics backup: one archive with the database and the data folder (see ops/backup.py)."""

from django.core.management.base import BaseCommand, CommandError

from weconomics.ops.archive import BackupError
from weconomics.ops.backup import create_backup


def keep_count(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = ("Back up the database and the data folder (uploads, keys) into one tar.gz "
            "archive, mode 0600. Safe while the server runs.")

    def add_arguments(self, parser):
        parser.add_argument(
            "output", nargs="?",
            help="A folder (the archive is named weconomics-backup-<UTC time>.tar.gz there) "
                 "or a file name ending in .tar.gz; a new folder's name ends in /. Default: "
                 "the data folder's backups/.")
        parser.add_argument("--with-outbox", action="store_true",
                            help="Include the outbox (mails written to files).")
        parser.add_argument("--keep", type=keep_count, metavar="N",
                            help="Afterwards delete all but the newest N archives in the "
                                 "folder.")

    def handle(self, *args, output, with_outbox, keep, **options):
        try:
            made = create_backup(output, include_outbox=with_outbox, keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = made.manifest
        size = made.path.stat().st_size
        self.stdout.write(
            f"Backup written to {made.path} ({size / 1e6:.1f} MB): "
            f"{manifest['database']['vendor']} database, {len(manifest['tables'])} tables, "
            f"{made.rows} rows, {len(manifest['files']) - 1} data files, in "
            f"{made.seconds:.1f} s.")
        for name, source in manifest["keys"].items():
            if source == "environment":
                self.stdout.write(f"Note: the {name.replace('_', ' ')} comes from the "
                                  "environment and is not in the archive; keep it safe "
                                  "with the backups.")
        for path in made.removed:
            self.stdout.write(f"Removed the older backup {path}.")
