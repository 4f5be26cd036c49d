"""System checks that keep the export and deletion registry complete."""

from django.apps import apps
from django.conf import settings
from django.core import checks

from weconomics.identity import privacy

# Models that point at an account but hold no personal data of it (none yet).
NOT_PERSONAL: set[str] = set()


@checks.register(checks.Tags.models)
def check_personal_data_registry(app_configs=None, **kwargs):
    """Fail when a model with a relation to the account is in no export/deletion source."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    covered = privacy.covered_models() | NOT_PERSONAL
    errors = []
    for model in apps.get_models():
        if model is user_model or model._meta.label_lower in covered:
            continue
        for rel in model._meta.get_fields():
            if rel.is_relation and rel.concrete and rel.related_model is user_model:
                errors.append(
                    checks.Error(
                        f"{model._meta.label} relates to the account through "
                        f"{rel.name!r} but is in no personal data source.",
                        hint="Register it with weconomics.identity.privacy.register(...) "
                        "so the account export and deletion include it.",
                        obj=model,
                        id="identity.E001",
                    )
                )
                break
    return errors
