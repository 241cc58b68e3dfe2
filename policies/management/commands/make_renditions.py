from django.core.management.base import BaseCommand

from policies.models import Figure, PolicyAnalysis
from policies.services import analysis_hero_renditions_refresh, figure_renditions_refresh


class Command(BaseCommand):
    help = (
        "Make the renditions of figures and hero images that have none (pictures uploaded before renditions "
        "existed, or restored from a backup without them); --all makes every one again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--all", action="store_true", help="Make every rendition again, not only missing ones.")

    def handle(self, *args, **options) -> None:
        figures = Figure.objects.all() if options["all"] else Figure.objects.filter(renditions=[])
        analyses = PolicyAnalysis.objects.exclude(hero_image="")
        if not options["all"]:
            analyses = analyses.filter(hero_renditions=[])
        made = 0
        for figure in figures.iterator():
            figure_renditions_refresh(figure=figure)
            made += 1
        for analysis in analyses.iterator():
            analysis_hero_renditions_refresh(analysis=analysis)
            made += 1
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"Renditions made for {made} pictures."))
