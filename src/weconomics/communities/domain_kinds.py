"""The domains of the Weconomics model, which every community can open.

Platform administrators add more in the admin; these are the ones every platform starts with.
"""

DEFAULT_KINDS = [
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


def ensure_default_kinds(domain_kind_model=None) -> None:
    """Create the default kinds that are missing; leave existing ones as administrators set them."""
    if domain_kind_model is None:
        from weconomics.communities.models import DomainKind as domain_kind_model
    for position, (slug, nl, en, dnl, den) in enumerate(DEFAULT_KINDS):
        domain_kind_model.objects.get_or_create(slug=slug, defaults={
            "name_nl": nl, "name_en": en, "description_nl": dnl, "description_en": den,
            "position": (position + 1) * 10})
