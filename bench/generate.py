"""Add N live synthetic pages to a seeded site, for the benchmark: bench/corpus.py, from the command line.

    python bench/generate.py --pages N [--question-share 0.7] [--seed S] [--replace] [--timings]

Expert answers and articles (about 70/30) with experts, topics, tags, review records and
reading levels, recombined from the seed's sentences, under the seeded home and section pages
(`python manage.py seed` first). bench/run.py runs it for `make bench` against the benchmark's
own database. It uses the DJANGO_SETTINGS_MODULE (the development settings unless told) and the
DATABASE_URL it is given, so made-up pages go wherever that points: never point it at a real site.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
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
    parser.add_argument("--timings", action="store_true", help="Also print how long each stage took.")
    return parser.parse_args(argv)


def main(argv=None, out=sys.stdout):
    """Generate the pages (Django must be set up); SystemExit with the reason if they cannot be."""
    args = parse(argv)
    from bench.corpus import ContentGenerator, GenerationError, settle_after_bulk_writes

    started = time.monotonic()
    try:
        generator = ContentGenerator(args.pages, question_share=args.question_share, seed=args.seed)
        if args.replace:
            deleted = generator.replace()
            print(f"Deleted {deleted} previously generated pages.", file=out)
        report = generator.generate()
        settle_after_bulk_writes()
    except GenerationError as exc:
        raise SystemExit(f"bench/generate.py: {exc}") from None
    print(
        f"Created {report.pages} pages ({report.questions} expert answers, {report.articles} articles), "
        f"{report.experts} experts, {report.topics} topics and {report.tag_links} tag links, "
        f"from {report.variants} text variants.",
        file=out,
    )
    if args.timings:
        for name, seconds in report.timings.items():
            print(f"  {name}: {seconds:.1f} s", file=out)
    print(f"Done in {time.monotonic() - started:.1f} s.", file=out)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "discsite.settings.dev")
    import django

    django.setup()
    main()
