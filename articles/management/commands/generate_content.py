"""python manage.py generate_content --pages N: synthetic answers and articles for benchmarks and tests.

Refused unless the settings allow it (DISCSITE_ALLOW_SYNTHETIC_CONTENT: development and
test settings only), so it can never add made-up health content to a real site.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.synthetic import ContentGenerator, GenerationError


class Command(BaseCommand):
    help = (
        "Create N live synthetic pages (expert answers and articles, about 70/30) with experts, topics, tags, "
        "review records and reading levels, recombined from the seed's sentences. Needs the seeded site. "
        "Development and test settings only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pages", type=int, required=True, help="How many answers and articles to create.")
        parser.add_argument(
            "--question-share",
            type=float,
            default=0.7,
            help="The share of expert answers among the pages (default 0.7; the rest are articles).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="First delete everything generated before (pages whose slug starts with 'gen-').",
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="Random seed, for the same content on every run (default: random)."
        )

    def handle(self, *args, pages, question_share, replace, seed, **options):
        if not getattr(settings, "DISCSITE_ALLOW_SYNTHETIC_CONTENT", False):
            raise CommandError(
                "Synthetic content is only for development, tests and benchmarks: these settings do not "
                "allow it (DISCSITE_ALLOW_SYNTHETIC_CONTENT is off, as it is in production)."
            )
        started = time.monotonic()
        try:
            generator = ContentGenerator(pages, question_share=question_share, seed=seed)
            if replace:
                deleted = generator.replace()
                self.stdout.write(f"Deleted {deleted} previously generated pages.")
            report = generator.generate()
        except GenerationError as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Created {report.pages} pages ({report.questions} expert answers, {report.articles} articles), "
            f"{report.experts} experts, {report.topics} topics and {report.tag_links} tag links, "
            f"from {report.variants} text variants."
        )
        if options["verbosity"] > 1:
            for name, seconds in report.timings.items():
                self.stdout.write(f"  {name}: {seconds:.1f} s")
        self.stdout.write(self.style.SUCCESS(f"Done in {elapsed:.1f} s."))
