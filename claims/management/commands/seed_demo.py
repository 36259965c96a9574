from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.demo import seed_demo


class Command(BaseCommand):
    help = "Create demo users, a source article and claims in every workflow state. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", help="Password for the demo users (else generated).")
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (production)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: this looks like production. "
                "Pass --force if you really mean it."
            )
        report = seed_demo(password=options["password"])
        self.stdout.write(
            f"Demo claims: {report.created_claims} created, {report.existing_claims} already there."
        )
        for username, password in report.created_users.items():
            self.stdout.write(f"  created user {username:<10} password: {password}")
        for username in report.updated_passwords:
            self.stdout.write(f"  password reset for {username}")
        if not report.created_users and not report.updated_passwords:
            self.stdout.write("  demo users unchanged")
