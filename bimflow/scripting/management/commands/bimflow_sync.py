from django.core.management.base import BaseCommand

from bimflow.scripting.builtins import builtins_sync


class Command(BaseCommand):
    help = "Put the built-in scripts from bimflow/scripting/builtin/ into the database."

    def handle(self, *args, **options):
        changed = builtins_sync()
        if options["verbosity"]:
            self.stdout.write(f"Built-in scripts updated: {', '.join(changed) or 'none'}")
