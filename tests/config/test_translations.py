"""The Welsh catalogue covers every string in the code and templates (Welsh Language Standards parity)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["manage.py", "config", "deliberation", "home", "notify", "templates", "locale"]


@pytest.mark.skipif(shutil.which("xgettext") is None and not os.environ.get("CI"), reason="gettext is not installed")
def test_editor_cannot_ship_a_string_without_its_welsh_translation(tmp_path):
    """Re-extract every msgid into a copy of the catalogue: none may be new, empty or fuzzy."""
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy(source, tmp_path / name)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "cy", "--no-obsolete", "--no-location"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    with open(tmp_path / "locale/cy/LC_MESSAGES/django.po", "rb") as handle:
        catalog = read_po(handle, locale="cy")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert not missing, f"{len(missing)} strings lack a Welsh translation, e.g. {missing[:10]}"


def test_no_module_hides_its_strings_from_the_extractor_behind_an_alias():
    """makemessages only sees `_`, `gettext`, `gettext_lazy`, `ngettext`, `pgettext`…: any other name (e.g. `_lazy`)
    keeps a string out of the catalogue, so it shows in English on Welsh pages (found on the console's eligibility hints)."""
    alias = re.compile(
        r"import\s+(?:[\w, ]*\b)?(?:gettext|gettext_lazy|ngettext|ngettext_lazy|pgettext|pgettext_lazy)\s+as\s+(\w+)"
    )
    offenders = []
    for name in ("config", "deliberation", "home", "notify"):
        for path in (ROOT / name).rglob("*.py"):
            for found in alias.finditer(path.read_text()):
                if found.group(1) != "_":
                    offenders.append(f"{path.relative_to(ROOT)}: {found.group(0)}")
    assert not offenders, offenders
