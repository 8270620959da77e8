"""Build the synthetic city at Chongqing's scale (December 2023 figures). Idempotent."""

from django.core.management.base import BaseCommand

from overview import citydemo


class Command(BaseCommand):
    help = "Build a deterministic synthetic city whose dashboard shows Chongqing's December 2023 figures (idempotent)."

    def handle(self, *args, **options):
        result = citydemo.seed()
        if result["created"]:
            self.stdout.write(self.style.SUCCESS("Synthetic city built: 38 districts, 786 towns, 171 sub-districts."))
        else:
            self.stdout.write("The synthetic city is already there; nothing changed.")
