"""The French and Spanish catalogues are complete and current, and no user-facing string escapes them.

When one of these tests fails after strings were added or changed: `make messages`, then
`.venv/bin/python scripts/translate_todo.py` lists what is left to translate (README, "Languages").
"""
from __future__ import annotations

import ast
import os
import re
import shlex
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from jinja2 import Environment, nodes

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "coordination" / "translations"
LANGUAGES = ("fr", "es")
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);", "es": "nplurals=2; plural=(n != 1);"}

# Python %-format (named or not), str.format fields, and HTML tags must survive translation.
PLACEHOLDER_RE = re.compile(
    r"%\([A-Za-z_]\w*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]|%[-#0 +]*\d*(?:\.\d+)?[dsif]|%%"
    r"|\{[A-Za-z_]\w*(?:[.\[][^{}]*)?(?:![rsa])?(?::[^{}]*)?\}|\{\d*\}"
)
TAG_RE = re.compile(r"</?[A-Za-z][^>]*>")
LETTER_RE = re.compile(r"[^\W\d_]", re.UNICODE)


def load_catalog(lang: str) -> Catalog:
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def forms_of(message: Message) -> list[str]:
    string = message.string
    return list(string) if isinstance(string, (list, tuple)) else [string]


def msgid_key(message_id: str | tuple[str, ...]) -> str:
    return message_id[0] if isinstance(message_id, (list, tuple)) else message_id


def entries(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str | None], Message]:
    """The catalogue the code would give today, extracted by the very command of `make messages`."""
    makefile = (ROOT / "Makefile").read_text("utf-8")
    command = re.search(r"^messages:.*?\n(?:\t.*\n)*?\t\$\(BIN\)/pybabel (extract .*)$", makefile, re.M)
    assert command, "the Makefile has no `messages` target running pybabel extract"
    args = shlex.split(command.group(1))
    pot = tmp_path_factory.mktemp("catalogue") / "messages.pot"
    args[args.index("-o") + 1] = str(pot)
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(["pybabel", "--quiet", *args])
    finally:
        os.chdir(cwd)
    with pot.open("rb") as fh:
        template = read_po(fh)
    found = {(msgid_key(m.id), m.context): m for m in entries(template)}
    assert len(found) > 500, "extraction found too few strings: is babel.cfg still right?"
    # Macros live in templates/_macros: pybabel skips directories starting with "_" unless told.
    assert any(path.startswith("templates/_macros/") for m in found.values() for path, _ in m.locations)
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(lang: str) -> None:
    catalog = load_catalog(lang)
    assert len(entries(catalog)) > 500
    fuzzy = [msgid_key(m.id) for m in entries(catalog) if m.fuzzy]
    missing = [msgid_key(m.id) for m in entries(catalog) if not all(forms_of(m))]
    assert not fuzzy, f"{lang}: {len(fuzzy)} fuzzy entries, e.g. {fuzzy[:5]}"
    assert not missing, f"{lang}: {len(missing)} untranslated entries, e.g. {missing[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_forms_are_the_classic_two(lang: str) -> None:
    catalog = load_catalog(lang)
    assert catalog.plural_forms == PLURAL_FORMS[lang]
    plurals = [m for m in entries(catalog) if m.pluralizable]
    assert plurals, "the catalogue has no plural entry (ngettext) to check"
    for message in plurals:
        assert len(forms_of(message)) == 2, message.id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_matches_the_code(lang: str, extracted: dict) -> None:
    catalog = load_catalog(lang)
    in_po = {(msgid_key(m.id), m.context): m.id for m in entries(catalog)}
    extracted = {key: m.id for key, m in extracted.items()}
    not_in_po = sorted(k[0] for k in extracted.keys() - in_po.keys())
    gone_from_code = sorted(k[0] for k in in_po.keys() - extracted.keys())
    assert not not_in_po, (
        f"{lang}: {len(not_in_po)} strings of the code are not in the catalogue "
        f"(run `make messages`), e.g. {not_in_po[:5]}"
    )
    assert not gone_from_code, (
        f"{lang}: {len(gone_from_code)} catalogue entries are no longer in the code "
        f"(run `make messages`), e.g. {gone_from_code[:5]}"
    )
    changed_plural = [k[0] for k, mid in extracted.items() if in_po.get(k, mid) != mid]
    assert not changed_plural, f"{lang}: plural forms changed in the code: {changed_plural[:5]}"


# "%(n)d meetings" reads "1 meetings" for one: counted phrases go through ngettext. These
# counts are bounds or settings, never one (or read right either way).
NOT_COUNTED_PHRASES = {
    "Use at most %(max)d characters.",
    "Use at most %(n)d characters.",
    "Use at least %(n)d characters.",
    "Type between %(min)d and %(max)d characters.",
    "A series has %(n)d meetings at most; choose an earlier last date.",
    "Each kind shows at most %(n)d results.",
    "Planned time: %(planned)d minutes of %(length)d.",
    "Version %(n)d is adopted.",
}


def test_counted_phrases_use_plural_forms(extracted: dict) -> None:
    counted = sorted(
        key[0] for key, message in extracted.items()
        if not message.pluralizable and re.search(r"%\(\w+\)[ds] (?!(?:is|has|was|does)\b)[a-z]+s\b", key[0])
        and key[0] not in NOT_COUNTED_PHRASES
    )
    assert not counted, f"use ngettext for: {counted}"


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER_RE.findall(text))


def _tags(text: str) -> list[str]:
    return sorted(TAG_RE.findall(text))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_placeholders_and_markup(lang: str) -> None:
    catalog = load_catalog(lang)
    wrong = []
    for message in entries(catalog):
        sources = list(message.id) if message.pluralizable else [message.id]
        for i, form in enumerate(forms_of(message)):
            # Every plural form keeps the placeholders of the plural source (the count included:
            # French uses the singular form for 0 too).
            source = sources[min(i, len(sources) - 1)]
            if _placeholders(form) not in (_placeholders(source), _placeholders(sources[-1])):
                wrong.append((source, form))
            if _tags(form) != _tags(source):
                wrong.append((source, form))
    assert not wrong, f"{lang}: placeholders or markup differ: {wrong[:5]}"
    assert not list(catalog.check()), f"{lang}: {list(catalog.check())[:3]}"


def test_placeholder_check_catches_a_lost_or_renamed_placeholder() -> None:
    assert _placeholders("Body %(name)s created.") != _placeholders("Instance créée.")
    assert _placeholders("%(n)d of %(total)d") != _placeholders("%(n)d sur %(totl)d")
    assert _placeholders("{name} saved") != _placeholders("{nom} enregistré")
    assert _placeholders("%(n)s%% done") == _placeholders("%(n)s %% fait")
    assert _tags("<strong>Note</strong>") != _tags("Note")


# --- strings that would never reach the catalogue -------------------------------------------

# Jinja: comments, blocks between {% trans %} and {% endtrans %}, statements and expressions.
JINJA_RE = re.compile(
    r"\{#.*?#\}|\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}|\{%.*?%\}|\{\{.*?\}\}", re.S
)
# Attributes a person reads or hears (screen readers announce aria-label, title, alt).
VISIBLE_ATTRS = {"title", "alt", "placeholder", "aria-label", "aria-description", "label"}
SKIP_ELEMENTS = {"script", "style"}


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_ELEMENTS:
            self._skip += 1
        for name, value in attrs:
            visible = name in VISIBLE_ATTRS or (
                name == "value" and (("type", "submit") in attrs or ("type", "button") in attrs)
            )
            if visible and value and LETTER_RE.search(value):
                self.found.append(f"{name}={value!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_ELEMENTS and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and LETTER_RE.search(data):
            self.found.append(data.strip())


def untranslated_template_text(source: str) -> list[str]:
    """Visible text of a template that is not inside {{ _() }} / {% trans %} (a heuristic)."""
    parser = _VisibleText()
    # Statements and comments vanish; an expression becomes "0", which reads as text or as an
    # attribute value alike: "{{ n }} items" still shows "items", "v{{ n }}" shows "v0", and
    # an attribute holding only an expression counts as translated.
    # A tag whose name is an expression (``<{{ level }} class="h5">``) is still a tag.
    source = re.sub(r"<(/?)\{\{[^}]*\}\}", r"<\1span", source)
    parser.feed(JINJA_RE.sub(lambda m: "0" if m.group().startswith("{{") else " ", source))
    parser.close()
    found = list(parser.found)
    found += _literal_strings_in_jinja(source)
    return [text for text in found if LETTER_RE.search(text) and not NOT_PROSE_RE.fullmatch(text)]


# Text that is no prose to translate: the product's name ("0 · Concertation" in a title) and
# codes such as a recommendation's number ("R0").
NOT_PROSE_RE = re.compile(r"[0\W]*Concertation[0\W]*|R0")


# Inside expressions: literal strings that read as prose ("Close", "save changes") given to a
# macro or printed, as opposed to CSS classes ("btn btn-sm"), endpoints and type names.
JINJA_ENV = Environment(autoescape=True, extensions=["jinja2.ext.i18n", "jinja2.ext.do"])
GETTEXT_NAMES = {"_", "gettext", "ngettext", "pgettext", "npgettext"}


def _reads_as_prose(text: str) -> bool:
    words = text.split()
    if any(re.fullmatch(r"[A-Z][a-z]+(?:[ ,.:;!?'’].*)?", w) for w in words):
        return True
    return len(words) >= 2 and not any(re.search(r"[-_./#=]", w) for w in words)


def _literal_strings_in_jinja(source: str) -> list[str]:
    tree = JINJA_ENV.parse(source)
    translated = {
        id(const)
        for call in tree.find_all(nodes.Call)
        if isinstance(call.node, nodes.Name) and call.node.name in GETTEXT_NAMES
        for const in call.find_all(nodes.Const)
    }
    # Strings compared with something (field.type == 'BooleanField') are not shown.
    compared = {id(c) for cmp in tree.find_all(nodes.Compare) for c in cmp.find_all(nodes.Const)}
    return [
        const.value
        for const in tree.find_all(nodes.Const)
        if isinstance(const.value, str) and id(const) not in translated | compared
        and _reads_as_prose(const.value)
    ]


def test_template_scan_finds_bare_text_and_spares_marked_text() -> None:
    bare = (
        '<h1>Meetings</h1><button title="Close">{{ _("Save") }}</button>{{ x(label="Name") }}'
        "{{ post_button(url, 'save changes', 'btn btn-sm') }}{{ 'Later' if x }}"
        '<input type="submit" class="btn" value="Send">'
    )
    assert untranslated_template_text(bare) == [
        "Meetings", "title='Close'", "value='Send'", "Name", "save changes", "Later"]
    marked = (
        '<h1>{{ _("Meetings") }}</h1><p>{% trans n=3 %}{{ n }} items{% endtrans %}</p>'
        '<a aria-label="{{ _("Main") }}">{{ body.name }} · 3</a><script>let a = "b";</script>'
        '{# a comment #}{{ x(label=_("Name")) }}{% if f.type == "BooleanField" %}{% endif %}'
        "{{ post_button(url, _('Delete'), 'btn btn-outline-danger btn-sm') }}"
        '<button type="button" class="btn btn-link" value="{{ _("Send") }}">0</button>'
    )
    assert untranslated_template_text(marked) == []


@pytest.mark.parametrize(
    "template", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*.html"))
)
def test_templates_mark_every_visible_text(template: str) -> None:
    found = untranslated_template_text((ROOT / template).read_text("utf-8"))
    assert not found, f"{template}: text not marked for translation: {found}"


# Python: messages shown to people (flash, validation errors, form labels, help, choices).
MESSAGE_CALLS = {"flash", "ValidationError", "ConflictError", "DomainError", "StaleError",
                 "PermissionDenied", "NotFound", "StopValidation"}
VALIDATORS = {"InputRequired", "DataRequired", "Optional", "Length", "NumberRange", "Email",
              "URL", "Regexp", "EqualTo", "AnyOf", "NoneOf", "FileAllowed", "FileRequired",
              "FileSize"}
FIELD_TEXT_KEYWORDS = {"label", "description", "message"}
RENDER_KW_TEXT = {"placeholder", "title", "aria-label", "aria-description"}
# Terminal output for administrators and demonstration data (text "typed by users").
PYTHON_EXCLUDED = {"coordination/cli.py", "coordination/demo/cli.py", "coordination/demo/structure.py",
                   "coordination/demo/meetings.py", "coordination/demo/plan.py"}


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _bare_text(node: ast.AST | None) -> bool:
    """A literal (or f-string) with letters, not wrapped in a gettext call."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(LETTER_RE.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_bare_text(v) for v in node.values)
    if isinstance(node, ast.BinOp):  # "text" + x, "text %s" % x
        return _bare_text(node.left) or _bare_text(node.right)
    return False


def untranslated_python_text(source: str) -> list[str]:
    """Literal strings given to flash(), domain/validation errors, fields, validators, choices."""
    found: list[str] = []

    def flag(node: ast.AST) -> None:
        found.append(f"line {node.lineno}: {ast.unparse(node)}")

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name in MESSAGE_CALLS and node.args:
                first = node.args[0]
                if isinstance(first, ast.Dict):
                    for value in first.values:
                        if _bare_text(value):
                            flag(value)
                elif _bare_text(first):
                    flag(first)
            if name.endswith("Field") and node.args and _bare_text(node.args[0]):
                flag(node.args[0])
            if name.endswith("Field") or name in VALIDATORS:
                for keyword in node.keywords:
                    if keyword.arg in FIELD_TEXT_KEYWORDS and _bare_text(keyword.value):
                        flag(keyword.value)
                    if keyword.arg == "render_kw" and isinstance(keyword.value, ast.Dict):
                        for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                            if (isinstance(key, ast.Constant) and key.value in RENDER_KW_TEXT
                                    and _bare_text(value)):
                                flag(value)
        # choices=[("value", "Label")] in a field, or self.field.choices = [...] in __init__
        choices = None
        if isinstance(node, ast.keyword) and node.arg == "choices":
            choices = node.value
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr == "choices" for t in node.targets
        ):
            choices = node.value
        if isinstance(choices, (ast.List, ast.Tuple)):
            for element in choices.elts:
                if isinstance(element, ast.Tuple) and len(element.elts) == 2:
                    if _bare_text(element.elts[1]):
                        flag(element.elts[1])
    return found


def _import_time_nodes(body: list[ast.stmt]):
    """Nodes run when a module is imported: module and class bodies, not functions or lambdas."""
    stack: list[ast.AST] = [st for st in body if not isinstance(st, ast.FunctionDef | ast.AsyncFunctionDef)]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def translated_at_import(source: str) -> list[str]:
    """gettext or an enum's ``.label`` evaluated at import: frozen in English for every reader."""
    found = []
    for node in _import_time_nodes(ast.parse(source).body):
        eager = isinstance(node, ast.Call) and _call_name(node) in {"_", "gettext", "ngettext"}
        if eager or (isinstance(node, ast.Attribute) and node.attr == "label"):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_import_time_scan_finds_frozen_labels() -> None:
    frozen = 'CHOICES = [(p.value, p.label) for p in Presence]\nclass F:\n    title = _("Hello")\n'
    assert len(translated_at_import(frozen)) == 2
    lazy = (
        'CHOICES = lambda: [(p.value, p.label) for p in Presence]\n'
        'def choices():\n    return [(p.value, p.label) for p in Presence]\n'
        'class F:\n    title = _l("Hello")\n    def label(self):\n        return _("Hi")\n'
    )
    assert translated_at_import(lazy) == []


def test_python_scan_finds_bare_messages_and_spares_marked_ones() -> None:
    bare = (
        'flash("Saved.")\nraise ValidationError({"name": "Too long"})\n'
        'name = StringField("Name", description="Help", validators=[Length(max=3, message="Short")])\n'
        'kind = SelectField(_l("Kind"), choices=[("a", "Apple")])\n'
    )
    assert len(untranslated_python_text(bare)) == 6
    marked = (
        'flash(_("Saved."), "success")\nraise ValidationError({"name": _("Too long")})\n'
        'name = StringField(_l("Name"), description=_l("Help"), render_kw={"rows": "3"})\n'
        'kind = SelectField(_l("Kind"), choices=[("a", _l("Apple")), (1, "—")])\n'
        'raise ValueError("naive datetime")\n'
    )
    assert untranslated_python_text(marked) == []


@pytest.mark.parametrize(
    "module",
    sorted(
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "coordination").rglob("*.py")
        if p.relative_to(ROOT).as_posix() not in PYTHON_EXCLUDED
    ),
)
def test_python_marks_every_user_facing_message(module: str) -> None:
    source = (ROOT / module).read_text("utf-8")
    found = untranslated_python_text(source)
    assert not found, f"{module}: messages not marked for translation: {found}"
    frozen = translated_at_import(source)
    assert not frozen, f"{module}: translated once at import, so always in English: {frozen}"
