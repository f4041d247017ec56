"""Every page in French and Japanese: no English catalogue text and no catalogue key left
visible; the language comes from the browser, from DSM's `lang` parameter, or the switch."""
import json
import subprocess

import pytest

from conftest import ADMIN_PASSWORD, HERE
from test_panel import DELIVERY_TABS, LOG_TABS, SECTIONS, go, sign_in, wait_heading

ROOT = HERE.parents[1]

# Words that are the same in English and the other language (names, protocol words).
SAME_IN = {
    "fr": {"English", "Français", "日本語", "Service", "SMTP", "IMAP", "IMAP (TLS)", "Port", "Destination", "Local"},
    "ja": {"English", "Français", "日本語", "ID"},
}

# Visible text nodes and labels of the page, except what is marked as the API's or a log's
# own English (lang="en") and technical values (code, pre).
VISIBLE_TEXT = """() => {
  const out = [];
  const skip = (el) => el.closest('[lang="en"], code, pre, script, style, option[lang]');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement, text = node.textContent.trim();
    if (!text || skip(el)) continue;
    if (el.tagName !== 'OPTION' && !el.checkVisibility()) continue;
    out.push(text);
  }
  document.querySelectorAll('[aria-label], [placeholder]').forEach((el) => {
    if (skip(el)) return;
    for (const a of ['aria-label', 'placeholder']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
  });
  return out;
}"""


def catalogue(lang):
    out = subprocess.run(["node", "--input-type=module", "-e",
                          f"import m from '{ROOT}/ui/src/messages/{lang}.js'; console.log(JSON.stringify(m))"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def english():
    return catalogue("en")


def untranslated(b, english, lang):
    texts = b.page(["evaluate", VISIBLE_TEXT])
    english_texts = set(english.values())
    keys = set(english)
    return sorted({t for t in texts if (t in english_texts and t not in SAME_IN[lang]) or t in keys})


def visit_everything(b, english, lang, shots):
    problems = {}
    pages = [f"#/{s}" for s in SECTIONS] + [f"#/delivery/{t}" for t in DELIVERY_TABS] + [f"#/logs/{t}" for t in LOG_TABS]
    for hash_ in pages:
        go(b, hash_)
        b.page(["waitForLoadState", "networkidle"])
        b.page(["locator", "main h1"], ["first"], ["waitFor"])
        # Forms and tables load after the heading: wait until nothing says "loading".
        b.page(["locator", ".busy"], ["first"], ["waitFor", {"state": "detached"}])
        left = untranslated(b, english, lang)
        if left:
            problems[hash_] = left
        shots(b, f"{lang}-{hash_.strip('#/').replace('/', '-')}")
    return problems


def test_catalogues_have_the_same_keys(english):
    for lang in ("fr", "ja"):
        assert set(catalogue(lang)) == set(english), lang


@pytest.mark.parametrize("lang,locale,title", [("fr", "fr-FR", "Vue d'ensemble"), ("ja", "ja-JP", "概要")])
def test_every_page_translated(admin_daemon, browser, shots, english, lang, locale, title):
    b = browser
    b.new_page(locale=locale)  # the browser's language picks the applet's
    b.page(["goto", admin_daemon.url])
    b.page(["locator", "#signin-password"], ["waitFor"])
    assert untranslated(b, english, lang) == []
    b.page(["locator", "#signin-password"], ["fill", ADMIN_PASSWORD])
    b.page(["locator", "#signin-password"], ["press", "Enter"])
    wait_heading(b, title)
    assert b.page(["evaluate", "() => document.documentElement.lang"]) == lang
    assert visit_everything(b, english, lang, shots) == {}
    assert b.console_errors() == []


def test_dsm_lang_parameter_and_switch(admin_daemon, browser):
    b = browser
    b.new_page(locale="en-US")
    sign_in(b, admin_daemon, query="?lang=jpn")  # DSM's code for Japanese
    wait_heading(b, "概要")
    # The switch changes every text at once and is remembered.
    b.page(["locator", "header select"], ["selectOption", "fr"])
    wait_heading(b, "Vue d'ensemble")
    b.page(["goto", admin_daemon.url])
    wait_heading(b, "Vue d'ensemble")


def test_narrow_window(admin_daemon, browser, shots):
    b = browser
    b.new_page(width=380, height=800)
    sign_in(b, admin_daemon)
    wait_heading(b, "Overview")
    go(b, "#/delivery/general")
    b.page(["locator", "#set-network-lan"], ["waitFor"])
    # Nothing wider than the window except scrollable tables.
    wide = b.page(["evaluate", """() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 381 && !e.closest('.table-wrap, .sections ul'))
        .map(e => e.tagName + '.' + e.className + '#' + e.id)"""])
    assert wide == []
    assert b.page(["evaluate", "() => document.documentElement.scrollWidth"]) <= 380
    shots(b, "narrow")
