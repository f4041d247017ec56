"""The Python side of driver.mjs: a real headless chromium driven through playwright-core.

    b = Browser()                      # starts node + chromium
    b.new_page(locale="fr-FR")
    b.page("goto", url)
    b.page(["getByLabel", "Password"], ["fill", "x"])
    b.close()

Each call runs one Playwright chain on the current page and returns its JSON value; a
Playwright error raises BrowserError with the driver's message (timeouts included)."""
import json
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


class BrowserError(AssertionError):
    pass


class Browser:
    def __init__(self):
        self.proc = subprocess.Popen(["node", str(HERE / "driver.mjs")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=str(ROOT))
        self.next_id = 0

    def _send(self, msg):
        self.next_id += 1
        msg["id"] = self.next_id
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise BrowserError(f"browser driver exited ({self.proc.poll()})")
        reply = json.loads(line)
        if not reply["ok"]:
            raise BrowserError(reply["error"])
        return reply["value"]

    def new_page(self, locale="en-US", width=1200, height=900):
        return self._send({"newPage": {"locale": locale, "viewport": {"width": width, "height": height}}})

    def page(self, *chain):
        """One chain: page(("goto", url)) or page(["getByRole", "button", {"name": "Apply"}], ["click"])."""
        steps = [list(step) if isinstance(step, (list, tuple)) else [step] for step in chain]
        return self._send({"chain": steps})

    def console_errors(self):
        return self._send({"consoleErrors": True})

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except Exception:
            self.proc.kill()
