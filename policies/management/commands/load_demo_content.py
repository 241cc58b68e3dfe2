from importlib import import_module

from django.core.management.base import BaseCommand

# Each app with demo content has a ``demo`` module with a ``load()``; order matters.
DEMO_MODULES = [
    "policies.demo",
    "moderation.demo",
    "consultations.demo",
    "comments.demo",
    "notifications.demo",
]


class Command(BaseCommand):
    help = "Load the demo content. Safe to run again: it changes nothing the second time."

    def handle(self, *args, **options) -> None:
        for module in DEMO_MODULES:
            import_module(module).load()
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS("Demo content loaded."))
