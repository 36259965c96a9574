from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Fact checks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the event_recorded receiver that fans events out to notifications.
        from claims import notifications  # noqa: F401
        from claims.api import receivers  # noqa: F401  (public cache invalidation, webhooks)
