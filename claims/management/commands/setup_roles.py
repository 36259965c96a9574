from typing import Any

from django.core.management.base import BaseCommand

from claims.roles import roles_setup


class Command(BaseCommand):
    help = "Create or refresh the editor, reviewer, approver and admin groups."

    def handle(self, *args: Any, **options: Any) -> None:
        for role, count in roles_setup().items():
            self.stdout.write(f"{role}: {count} permissions")
