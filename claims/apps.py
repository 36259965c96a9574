from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Fact checks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from claims.api import receivers  # noqa: F401  (public cache invalidation, webhooks)
