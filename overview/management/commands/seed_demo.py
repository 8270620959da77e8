"""Load the demo district. Idempotent: a second run finds it and changes nothing."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from congress import demo as congress_demo
from congress.models import Division
from deputies import demo as deputies_demo
from meetings import demo as meetings_demo
from projects import demo as projects_demo

LOGINS = [
    ("city", "municipal staff (sees the whole city)"),
    ("district", "district staff (示范区)"),
    ("jiangnan", "sub-district staff (江南街道)"),
    ("deputy", "district deputy (signed in at the convening mid-year meeting; its survey is open)"),
    ("yishi", "deliberation deputy of 江南街道"),
    ("unit", "handling unit 区交通局: its suggestions at /unit/suggestions/"),
]


class Command(BaseCommand):
    help = "Load a fictional demo district with bodies, terms and a few hundred deputies (idempotent)."

    def handle(self, *args, **options):
        # The catalogues the migrations lay (opinion and project categories), again if a flushed database lacks them
        for catalogue in ("deputies.migrations.0003_catalogue", "projects.migrations.0002_categories"):
            import_module(catalogue).add(apps, None)
        if Division.objects.filter(code=congress_demo.DEMO_DISTRICT_CODE).exists():
            self.stdout.write("Demo data already loaded; nothing changed.")
        else:
            with transaction.atomic():
                congress = congress_demo.seed()
                deputies = deputies_demo.seed(congress)
                deputies_demo.seed_network(congress, deputies)
                projects = projects_demo.seed(congress, deputies)
                meetings = meetings_demo.seed(congress, deputies, projects)
            self.stdout.write(self.style.SUCCESS("Demo district loaded, with an open project ballot in 江南街道."))
            # Demo only: the scrutineers' cards of the open ballot and survey, printed this once (a real poll shows
            # them only on the page that opens it). Any two open the box after voting closes.
            for what, cards in (("ballot", projects["cards"]), ("survey", meetings["cards"])):
                self.stdout.write(f"Scrutineers' cards of the demo {what} (DEMO ONLY; any 2 of 3 open the box):")
                for card in cards:
                    self.stdout.write(f"  {card.scrutineer}  {card.text}")
        self.stdout.write(f"Demo logins (password for all: {congress_demo.DEMO_PASSWORD}):")
        for username, what in LOGINS:
            self.stdout.write(f"  {username:<10} {what}")
