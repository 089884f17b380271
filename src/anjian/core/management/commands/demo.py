"""`anjian demo`: the demo district (唐山市路南区) and one login per role. Idempotent."""

import os
from importlib import import_module

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from anjian.core import contributions


class Command(BaseCommand):
    help = "Create the demo data (唐山市路南区) and print the logins. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="do not print the logins")

    def handle(self, *args, quiet=False, **options):
        from anjian.orgs.models import Industry
        from anjian.regions.models import Region

        if not Region.objects.filter(code="130202").exists():
            call_command("regions", "load", stdout=self.stdout)
        if not Industry.objects.exists():
            call_command("industries", "load", stdout=self.stdout)
        logins = []
        with transaction.atomic():
            # Each app declares its builders (anjian.core.contributions); they are
            # idempotent and run in their declared order.
            for step in contributions.demo_steps():
                module, name = step.builder.rsplit(".", 1)
                result = getattr(import_module(module), name)()
                logins.extend(result or [])
        if quiet:
            return
        from anjian.orgs.demo import DEMO_PASSWORD

        address = os.environ.get("ANJIAN_DEMO_ADDR", "127.0.0.1:8000")

        self.stdout.write("")
        self.stdout.write(
            f"安监 demo: http://{address}/   (password for every login: {DEMO_PASSWORD})"
        )
        width = max(len(u) for u, _, _ in logins)
        for username, role, org in logins:
            self.stdout.write(f"  {username.ljust(width)}  {role}  {org}")
        self.stdout.write("")
