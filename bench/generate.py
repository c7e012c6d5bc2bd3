"""A deterministic synthetic digest for benchmarks: N articles, N/10 incidents, an entities file.

Usage: python -m bench.generate N DEST   (DEST is created; it must be outside the repository)
"""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORDS = ("intelligence officials said the mission was closed after diplomats were expelled for "
         "espionage while the alliance reviewed its security arrangements and the ministry "
         "announced further measures against undeclared officers operating under cover in the "
         "capital according to sources familiar with the investigation into the leak").split()
KINDS = ("expulsion", "arrest", "closure", "leak", "advisory", "investigation")
RELATIONS = ("retaliation-for", "response-to", "follow-up", "same-case")


def entity_names(count: int) -> list[tuple[str, str, str]]:
    """(id, name, type) for `count` made-up entities with pronounceable, distinct names."""
    rng = random.Random(7)
    syllables = ["ka", "lo", "mi", "ra", "ten", "vor", "sul", "den", "pa", "gri", "nos", "bel"]
    names, seen = [], set()
    while len(names) < count:
        name = "".join(rng.choice(syllables) for _ in range(3)).capitalize()
        if name in seen:
            continue
        seen.add(name)
        kind = ("country", "organization", "person", "place")[len(names) % 4]
        names.append((name.lower(), name + ("ia" if kind == "country" else ""), kind))
    return names


def paragraph(rng: random.Random, entities, words: int) -> str:
    out = []
    for index in range(words):
        if index % 40 == 7:
            out.append(rng.choice(entities)[1])
        else:
            out.append(rng.choice(WORDS))
    out[0] = out[0].capitalize()
    return " ".join(out) + "."


def generate(n: int, dest: Path) -> None:
    """Write a whole project (content, layouts, site.yaml) for n articles into dest."""
    rng = random.Random(n)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(REPO / "layouts", dest / "layouts")
    (dest / "site.yaml").write_text("title: Bench digest\nbase_url: https://example.org/\nitems_per_page: 20\n")
    content = dest / "content"
    for folder in ("articles", "incidents", "pages"):
        (content / folder).mkdir(parents=True)
    entities = entity_names(max(20, n // 25))
    (content / "entities.yaml").write_text("".join(
        f"{ident}:\n  name: {name}\n  type: {kind}\n" for ident, name, kind in entities))
    tags = [f"topic {i}" for i in range(max(10, n // 50))]
    incidents = max(1, n // 10)
    for i in range(incidents):
        relation = f"relations:\n  - {rng.choice(RELATIONS)}: incident-{rng.randrange(i)}\n" if i and rng.random() < 0.6 else ""
        actors = ", ".join(e[0] for e in rng.sample(entities, 2))
        (content / "incidents" / f"incident-{i}.md").write_text(
            f"---\ntitle: Incident number {i}\ndate: {2010 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}\n"
            f"kind: {rng.choice(KINDS)}\nactors: [{actors}]\nsummary: A made-up incident for the benchmark.\n{relation}---\n"
            f"{paragraph(rng, entities, 60)}\n")
    for i in range(n):
        chosen_tags = ", ".join(f'"{t}"' for t in rng.sample(tags, 3))
        covered = ", ".join(f"incident-{rng.randrange(incidents)}" for _ in range(rng.randint(1, 2)))
        body = "\n\n".join(paragraph(rng, entities, 100) for _ in range(5))
        body += f"\n\n::: context\n{paragraph(rng, entities, 30)}[^1]\n:::\n\n[^1]: {paragraph(rng, entities, 12)}\n"
        (content / "articles" / f"article-{i}.md").write_text(
            f"---\ntitle: Article number {i} about {rng.choice(WORDS)}\n"
            f"date: {2010 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}\nauthor: Reporter {i % 17}\n"
            f"summary: A made-up article for the benchmark.\ntags: [{chosen_tags}]\nincidents: [{covered}]\n---\n{body}")
    (content / "pages" / "about.md").write_text("---\ntitle: About\n---\nA benchmark site.\n")


if __name__ == "__main__":
    count, target = int(sys.argv[1]), Path(sys.argv[2]).resolve()
    if target.is_relative_to(REPO):
        sys.exit("write the corpus outside the repository")
    generate(count, target)
    print(f"wrote {count} articles to {target}")
