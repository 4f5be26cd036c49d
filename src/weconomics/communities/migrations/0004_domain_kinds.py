"""The domains of the Weconomics model, which every community can open."""

from django.db import migrations

from weconomics.communities.domain_kinds import DEFAULT_KINDS, ensure_default_kinds


def add_kinds(apps, schema_editor):
    ensure_default_kinds(apps.get_model("communities", "DomainKind"))


def remove_kinds(apps, schema_editor):
    apps.get_model("communities", "DomainKind").objects.filter(
        slug__in=[k[0] for k in DEFAULT_KINDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("communities", "0003_channels_domains_board_publications")]
    operations = [migrations.RunPython(add_kinds, remove_kinds)]
