from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operating the platform: the backup and restore commands (no models)."""

    name = "weconomics.ops"
