"""List (and fill) the French and Spanish messages still to translate after `make messages`.

    .venv/bin/python scripts/translate_todo.py                 # what is missing, per language
    .venv/bin/python scripts/translate_todo.py --json todo     # todo/fr.json, todo/es.json to fill
    .venv/bin/python scripts/translate_todo.py --apply todo    # write the filled msgstr back

An entry is "to do" when its msgstr (or one of its plural forms) is empty or it is fuzzy
(`pybabel update` marks a changed source string fuzzy and guesses a translation that must be
checked). Applying a file clears the fuzzy flag of each entry it fills (and the guesses in the
English source catalogue, which shows the msgids themselves). The exit status is 1
while anything is missing, so the script doubles as a check.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "coordination" / "translations"
LANGUAGES = ("fr", "es")
# CLDR now gives French and Spanish a third plural form for large round numbers
# ("un million de réunions"); gettext tools and translators expect the classic two.
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "es": "nplurals=2; plural=(n != 1);",
}


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def load(lang: str) -> Catalog:
    with po_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang)


def save(lang: str, catalog: Catalog) -> None:
    set_plural_forms(catalog, lang)
    with po_path(lang).open("wb") as fh:
        write_po(fh, catalog, width=76)


def set_plural_forms(catalog: Catalog, lang: str) -> None:
    nplurals, plural = PLURAL_FORMS[lang].split(";", 1)
    catalog._num_plurals = int(nplurals.split("=")[1])
    catalog._plural_expr = plural.strip().removeprefix("plural=").rstrip(";")


def is_todo(message: Message) -> bool:
    if not message.id:
        return False
    if message.fuzzy:
        return True
    forms = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return not all(forms)


def todo(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if is_todo(m)]


def as_entry(message: Message, nplurals: int) -> dict:
    plural = isinstance(message.id, (list, tuple))
    entry = {
        "msgid": message.id[0] if plural else message.id,
        "locations": [f"{path}:{line}" for path, line in message.locations],
    }
    if message.context:
        entry["msgctxt"] = message.context
    if plural:
        entry["msgid_plural"] = message.id[1]
        current = list(message.string) if message.string else []
        entry["msgstr"] = (current + [""] * nplurals)[:nplurals]
    else:
        entry["msgstr"] = message.string or ""
    if message.fuzzy:
        entry["fuzzy_guess"] = entry["msgstr"]
        entry["msgstr"] = [""] * nplurals if plural else ""
    return entry


def apply(lang: str, entries: list[dict]) -> int:
    catalog = load(lang)
    filled = 0
    for entry in entries:
        key = (entry["msgid"], entry["msgid_plural"]) if "msgid_plural" in entry else entry["msgid"]
        message = catalog.get(key if isinstance(key, str) else key[0], entry.get("msgctxt"))
        string = entry.get("msgstr")
        if message is None or not string or (isinstance(string, list) and not all(string)):
            continue
        message.string = tuple(string) if isinstance(string, list) else string
        message.flags.discard("fuzzy")
        message.previous_id = []
        filled += 1
    save(lang, catalog)
    return filled


def clear_source_guesses() -> int:
    """Empty the fuzzy guesses `pybabel update` writes into the English (source) catalogue.

    English shows the source strings themselves; a guess there is never right, and would show
    if the catalogue were ever compiled with --use-fuzzy.
    """
    path = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return 0
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    cleared = 0
    for message in catalog:
        if message.id and message.fuzzy:
            message.string = ("", "") if message.pluralizable else ""
            message.flags.discard("fuzzy")
            message.previous_id = []
            cleared += 1
    with path.open("wb") as fh:
        write_po(fh, catalog, width=76)
    return cleared


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", nargs="+", default=list(LANGUAGES), choices=LANGUAGES)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", metavar="DIR", help="write DIR/<lang>.json to fill in")
    group.add_argument("--apply", metavar="DIR", help="read DIR/<lang>.json back into the .po")
    args = parser.parse_args(argv)

    missing = 0
    if args.apply:
        print(f"en: {clear_source_guesses()} fuzzy guesses cleared from the source catalogue")
    for lang in args.lang:
        if args.apply:
            entries = json.loads((Path(args.apply) / f"{lang}.json").read_text("utf-8"))
            print(f"{lang}: {apply(lang, entries)} entries filled")
        catalog = load(lang)
        pending = todo(catalog)
        missing += len(pending)
        total = sum(1 for m in catalog if m.id)
        print(f"{lang}: {len(pending)} of {total} messages to translate ({po_path(lang)})")
        if args.json:
            out = Path(args.json)
            out.mkdir(parents=True, exist_ok=True)
            entries = [as_entry(m, catalog.num_plurals) for m in pending]
            (out / f"{lang}.json").write_text(
                json.dumps(entries, ensure_ascii=False, indent=1) + "\n", "utf-8"
            )
            print(f"  wrote {out / f'{lang}.json'}: fill each msgstr, then --apply {out}")
        elif not args.apply:
            for message in pending:
                where = message.locations[0][0] if message.locations else "?"
                flag = " (fuzzy)" if message.fuzzy else ""
                print(f"  {where}{flag}: {message.id!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
