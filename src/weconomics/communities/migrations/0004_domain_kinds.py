"""The domains of the Weconomics model, which every community can open."""

from django.db import migrations

KINDS = [
    ("recruitment", "Werving & selectie", "Recruitment & selection",
     "Vacatures, opdrachten en kandidaten.", "Vacancies, assignments and candidates."),
    ("coaching", "Coaching", "Coaching",
     "Coaches en coachingtrajecten.", "Coaches and coaching programmes."),
    ("training", "Training", "Training",
     "Cursussen en trainingen.", "Courses and trainings."),
    ("workshop", "Workshop", "Workshop",
     "Workshops en bijeenkomsten.", "Workshops and meetings."),
    ("wiki", "Wiki", "Wiki",
     "Wat de community samen weet.", "What the community knows together."),
    ("advice", "Advies", "Advice",
     "Advies en kennisdeling.", "Advice and knowledge sharing."),
    ("interim", "Interim", "Interim",
     "Interim-opdrachten en inzet.", "Interim assignments."),
    ("assessment", "Assessment", "Assessment",
     "Assessments en e-portfolio's.", "Assessments and e-portfolios."),
    ("accommodation", "Accommodatie", "Accommodation",
     "Ruimtes en werkplekken.", "Rooms and workplaces."),
]


def add_kinds(apps, schema_editor):
    DomainKind = apps.get_model("communities", "DomainKind")
    for position, (slug, nl, en, dnl, den) in enumerate(KINDS):
        DomainKind.objects.update_or_create(slug=slug, defaults={
            "name_nl": nl, "name_en": en, "description_nl": dnl, "description_en": den,
            "position": (position + 1) * 10})


def remove_kinds(apps, schema_editor):
    apps.get_model("communities", "DomainKind").objects.filter(
        slug__in=[k[0] for k in KINDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("communities", "0003_channels_domains_board_publications")]
    operations = [migrations.RunPython(add_kinds, remove_kinds)]
