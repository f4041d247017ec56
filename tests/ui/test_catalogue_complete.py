"""Every setting of the registry has a label (s.KEY) and a help text (h.KEY) in the English,
French and Japanese catalogues, and enum values that are words have a label (choice.KEY.VALUE);
the French and Japanese texts are translations, not copies of the English.

No browser: the registry comes from `postern config schema` (build/bin/postern, or POSTERN_BIN)
and the catalogues (ui/src/messages/*.js) are read with a regular expression."""
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("POSTERN_BIN", ROOT / "build" / "bin" / "postern"))
MESSAGES = ROOT / "ui" / "src" / "messages"
LANGS = ("en", "fr", "ja")

# Texts allowed to be the same as the English one (technical words, names).
SAME_AS_ENGLISH = {
    "fr": {"Port", "SMTP", "IMAP", "DNS", "TLS", "SPF", "FQDN", "DNSSEC", "STARTTLS", "HELO/EHLO"},
    "ja": {"SMTP", "IMAP", "DNS", "TLS", "SPF", "FQDN", "DNSSEC", "STARTTLS", "HELO/EHLO"},
}

# One catalogue entry per line:   'key': 'text',   (single quotes, backslash escapes).
ENTRY = re.compile(r"^\s*'((?:[^'\\]|\\.)*)'\s*:\s*'((?:[^'\\]|\\.)*)'\s*,?\s*$")


def unescape(s):
    return re.sub(r"\\(.)", r"\1", s)


def read_catalogue(lang):
    entries = {}
    for line in (MESSAGES / f"{lang}.js").read_text(encoding="utf-8").splitlines():
        m = ENTRY.match(line)
        if m:
            key = unescape(m.group(1))
            assert key not in entries, f"{lang}.js: {key} defined twice"
            entries[key] = unescape(m.group(2))
    assert entries, f"no entries found in {lang}.js"
    return entries


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    if not BIN.exists():
        pytest.fail(f"{BIN} missing: build the daemon first or set POSTERN_BIN")
    data_dir = tmp_path_factory.mktemp("schema-data")
    out = subprocess.run([str(BIN), "config", "schema", "--data-dir", str(data_dir)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    items = json.loads(out.stdout)
    assert items and all("key" in i for i in items)
    return items


@pytest.fixture(scope="module")
def catalogues():
    return {lang: read_catalogue(lang) for lang in LANGS}


def needed_keys(schema):
    """Catalogue keys the settings forms use for the registry."""
    keys = []
    for item in schema:
        keys += [f"s.{item['key']}", f"h.{item['key']}"]
        # Enum values that are words are shown translated; numbers (tls.min_version) as they are.
        for value in item.get("choices") or []:
            if re.search(r"[a-z]", str(value), re.I):
                keys.append(f"choice.{item['key']}.{value}")
    return keys


def test_regex_reads_whole_catalogues(catalogues):
    # The regex must see every entry node sees: same key set in the three files.
    assert set(catalogues["fr"]) == set(catalogues["en"])
    assert set(catalogues["ja"]) == set(catalogues["en"])


@pytest.mark.parametrize("lang", LANGS)
def test_every_setting_has_label_and_help(schema, catalogues, lang):
    cat = catalogues[lang]
    missing = [k for k in needed_keys(schema) if k not in cat]
    assert not missing, f"{lang}.js lacks {len(missing)} entries: {' '.join(missing)}"
    empty = [k for k in needed_keys(schema) if not cat[k].strip()]
    assert not empty, f"{lang}.js has empty entries: {' '.join(empty)}"


@pytest.mark.parametrize("lang", ("fr", "ja"))
def test_setting_texts_are_translated(schema, catalogues, lang):
    en, cat = catalogues["en"], catalogues[lang]
    same = [f"{k}: {cat[k]!r}" for k in needed_keys(schema)
            if k in cat and k in en and cat[k] == en[k] and cat[k] not in SAME_AS_ENGLISH[lang]]
    assert not same, f"{lang}.js copies the English text: " + "; ".join(same)


def test_japanese_texts_are_japanese(schema, catalogues):
    # A Japanese label or help text has at least one kana or kanji.
    ja = catalogues["ja"]
    latin = [k for k in needed_keys(schema) if k in ja and ja[k] not in SAME_AS_ENGLISH["ja"]
             and not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", ja[k])]
    assert not latin, "ja.js entries without Japanese: " + " ".join(latin)
