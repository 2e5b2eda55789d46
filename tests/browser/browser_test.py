#!/usr/bin/env python3
"""Browser tests: the real server (itaku serve --demo) driven in headless Chromium over WebDriver.

Only the standard library: the WebDriver protocol is plain JSON over HTTP to chromedriver.
Usage: browser_test.py PATH/TO/itaku [SCREENSHOT_DIR]
Ends with a line 'N passed, M failed' and exits non-zero when anything failed.
"""

import base64
import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until(predicate, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


TAB, ENTER = "\ue004", "\ue007"

# Links the page crawl does not follow: downloads, the API, sign-out.
NOT_PAGES = re.compile(r"(/logout|/file$|\.xlsx|\.csv|/export|^/api/|^/static/|/template|download)")
# What people should never read on a page: machine timestamps, UTC, JSON, raw digests, byte counts.
MACHINE_FORMATS = [
    (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", "an ISO timestamp"),
    (r"UTC", "UTC"),
    (r'\{"', "JSON"),
    (r"\b[0-9a-f]{64}\b", "a SHA-256 outside its disclosure"),
    (r"\d{4,} ?バイト", "a byte count"),
]


def axe_source():
    """axe-core's script, installed by the test command (scripts/test) with npm; None when absent."""
    here = os.path.dirname(os.path.abspath(__file__))
    for path in [os.environ.get("ITAKU_AXE_JS", ""),
                 os.path.join(here, "..", "..", "target", "axe", "node_modules", "axe-core", "axe.min.js")]:
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                return f.read()
    return None


AXE_RUN = """const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})
  .then(result => done(result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')}`)))
  .catch(error => done([`axe failed: ${error}`]));"""


def accessibility_violations(b, axe):
    """The page's serious and critical WCAG 2.2 AA violations, as axe-core finds them."""
    b.script(axe)
    return b.command("POST", "/execute/async", {"script": AXE_RUN, "args": []})


def crawl(b, base, first="/", limit=60):
    """Visits each kind of page reachable from `first` (ids folded: /contracts/1 and /contracts/2 are
    one kind), yielding (path, kind, facts) with the page's width, visible text and links."""
    seen, queue = set(), [first]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        kind = re.sub(r"\d+", "N", path.split("#")[0].split("?")[0])
        if kind in seen:
            continue
        seen.add(kind)
        b.go(base + path)
        facts = b.script("""const open = [...document.querySelectorAll('details[open]')];
            document.querySelectorAll('details').forEach(d => d.open = false);
            const text = document.body.innerText;
            open.forEach(d => d.open = true);
            return {width: document.documentElement.scrollWidth, viewport: window.innerWidth, text,
                    links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))}""")
        yield path, kind, facts
        queue.extend(h for h in facts["links"] if h.startswith("/") and not h.startswith("//") and not NOT_PAGES.search(h))


class Browser:
    """One WebDriver session in headless Chromium."""

    def __init__(self, driver_url, profile_dir):
        chrome = shutil.which("chromium") or "/usr/bin/chromium"
        capabilities = {
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": chrome,
                        "args": [
                            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                            "--disable-dev-shm-usage", "--disable-component-update", "--disable-sync",
                            "--no-first-run", "--window-size=1280,1000", "--lang=ja-JP", f"--user-data-dir={profile_dir}",
                        ],
                    },
                }
            }
        }
        status, body = http("POST", f"{driver_url}/session", capabilities, timeout=60)
        if status != 200:
            raise RuntimeError(f"cannot start Chromium: {body[:500]!r}")
        self.session = f"{driver_url}/session/{json.loads(body)['value']['sessionId']}"

    def command(self, method, path, body=None):
        status, raw = http(method, f"{self.session}{path}", body)
        value = json.loads(raw)["value"] if raw else None
        if status != 200:
            raise RuntimeError(f"WebDriver {path}: {value}")
        return value

    def go(self, url):
        self.command("POST", "/url", {"url": url})

    def find(self, css):
        element = self.command("POST", "/element", {"using": "css selector", "value": css})
        return next(iter(element.values()))

    def type(self, css, text):
        self.command("POST", f"/element/{self.find(css)}/value", {"text": text})

    def click(self, css):
        self.command("POST", f"/element/{self.find(css)}/click", {})

    def source(self):
        return self.command("GET", "/source")

    def url(self):
        return self.command("GET", "/url")

    def script(self, code):
        return self.command("POST", "/execute/sync", {"script": code, "args": []})

    def press(self, *keys):
        """Presses keys on the keyboard, one after another (WebDriver key codes: Tab is \\ue004)."""
        actions = []
        for key in keys:
            actions += [{"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]
        self.command("POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})

    def type_into_focus(self, text):
        self.press(*text)

    def tab_to(self, css, most=40):
        """Presses Tab until the element matching `css` has the focus; False when it never does."""
        for _ in range(most):
            self.press(TAB)
            if self.script(f"return document.activeElement.matches({json.dumps(css)})"):
                return True
        return False

    def screenshot(self, path):
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.command("GET", "/screenshot")))

    def wait_for(self, predicate, seconds=10):
        """Polls until the page satisfies `predicate(url, source)`; a click may start loading later."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                if predicate(self.url(), self.source()):
                    return True
            except RuntimeError:
                pass
            time.sleep(0.1)
        return False

    def close(self):
        try:
            http("DELETE", self.session)
        except OSError:
            pass


def main():
    binary = os.path.abspath(sys.argv[1])
    shots = sys.argv[2] if len(sys.argv) > 2 else None
    work = tempfile.mkdtemp(prefix="itaku-browser-")
    app_port, driver_port = free_port(), free_port()
    base = f"http://127.0.0.1:{app_port}"
    env = dict(os.environ, ROCKET_PORT=str(app_port), ROCKET_ADDRESS="127.0.0.1", ROCKET_LOG_LEVEL="critical")
    env.pop("DATABASE_URL", None)
    log = open(os.path.join(work, "server.log"), "w+")
    server = subprocess.Popen([binary, "--database-url", f"sqlite://{work}/browser.db", "serve", "--demo"],
                              stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work)
    driver = subprocess.Popen(["chromedriver", f"--port={driver_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    passed, failed = 0, 0
    browsers = []
    try:
        wait_until(lambda: http("GET", f"{base}/healthz", timeout=2)[0] == 200, 60, "the Itaku server")
        wait_until(lambda: http("GET", f"http://127.0.0.1:{driver_port}/status", timeout=2)[0] == 200, 30, "chromedriver")
        log.seek(0)
        logins = dict(re.findall(r"(\w+)@demo\.itaku\.example\s+(\S+)", log.read()))
        assert set(logins) >= {"admin", "officer", "ciso", "vendor"}, f"demo logins not printed: {logins}"

        def browser():
            b = Browser(f"http://127.0.0.1:{driver_port}", tempfile.mkdtemp(dir=work))
            browsers.append(b)
            return b

        def sign_in(b, role):
            b.go(f"{base}/")
            assert "/login" in b.url(), "an anonymous visitor is sent to the sign-in page"
            b.type("#email", f"{role}@demo.itaku.example")
            b.type("#password", logins[role])
            b.click("#sign-in")
            assert b.wait_for(lambda url, _: "/login" not in url), f"{role} could not sign in"
            return b.source()

        def check(name, test):
            nonlocal passed, failed
            try:
                test()
                passed += 1
                print(f"ok   {name}")
            except Exception as error:  # noqa: BLE001 - every failure is reported and counted
                failed += 1
                print(f"FAIL {name}: {error}")

        def each_role_sees_its_home():
            expectations = {
                "admin": (["委託契約の状況", "確認待ち", "システムの状態", 'href="/admin/users"', 'href="/audit"', 'href="/ledger"'], []),
                # An officer's home is its work list: what waits for its review, what was returned, what is overdue.
                "officer": (["確認待ち", "期限超過", 'href="/notifications"', 'href="/ledger"'], ['href="/admin/users"', 'href="/audit"', "システムの状態"]),
                # The CISO's home is the dashboard.
                "ciso": (["委託先のセキュリティ状況", 'href="/audit"'], ['href="/admin/users"', 'href="/ledger"']),
                "vendor": (["株式会社いろは印刷 様の契約", "対応が必要なこと"], ['href="/contracts"', 'href="/vendors"', 'href="/audit"']),
            }
            for role, (present, absent) in expectations.items():
                b = browser()
                page = sign_in(b, role)
                for text in present:
                    assert text in page, f"{role}: '{text}' missing"
                for text in absent:
                    assert text not in page, f"{role}: '{text}' shown"
                if shots:
                    b.screenshot(os.path.join(shots, f"home-{role}.png"))
                b.close()

        def a_vendor_editing_the_url_is_refused():
            b = browser()
            page = sign_in(b, "vendor")
            own = sorted({int(i) for i in re.findall(r'href="/contracts/(\d+)"', page)})
            assert own, "the vendor has contracts"
            b.go(f"{base}/contracts/{own[0]}")
            assert "ページが見つかりません" not in b.source(), "its own contract opens"
            other = next(i for i in range(1, 100) if i not in own)
            for path in [f"/contracts/{other}", f"/contracts/{other}/edit", "/vendors/2", "/admin/users", "/audit", f"/api/v1/contracts/{other}"]:
                b.go(f"{base}{path}")
                source = b.source()
                assert ("ページが見つかりません" in source or "権限がありません" in source or "not_found" in source
                        or "forbidden" in source), f"{path} was shown to another vendor"
                assert "/login" not in b.url(), "still signed in"
            b.close()

        def a_form_without_its_csrf_token_is_refused():
            b = browser()
            sign_in(b, "admin")
            b.go(f"{base}/departments")
            b.script("document.querySelectorAll('form input[name=csrf_token]').forEach(e => e.remove());")
            b.type("form.filters input[name=name]", "偽装課")
            b.click("form.filters button[type=submit]")
            assert b.wait_for(lambda _, source: "ページを開き直して" in source), "the forged form was not refused"
            b.go(f"{base}/departments")
            assert "偽装課" not in b.source(), "nothing was created"
            b.close()

        def sign_out_ends_the_session():
            b = browser()
            sign_in(b, "officer")
            b.click("header form button")
            assert b.wait_for(lambda _, source: "ログアウトしました" in source), f"after sign-out: {b.url()}"
            b.go(f"{base}/contracts")
            assert "/login" in b.url(), "signed out: sent back to sign-in"
            b.close()

        def the_ciso_dashboard_shows_what_is_owed_on_any_day():
            b = browser()
            sign_in(b, "ciso")
            b.go(f"{base}/dashboard")
            source = b.source()
            assert "データ保持期限超過" in source and "重点指標" in source, "the dashboard is shown"
            # The demo's contract that ended a year before this fiscal year still holds its data.
            assert "ちりぬ電算株式会社" in source, "the retention violation is listed"
            b.script("document.querySelector('input[name=as_of]').value = '2019-05-01';")
            b.click("form.filters button[type=submit]")
            assert b.wait_for(lambda _, src: "令和元年5月1日時点" in src), "the dashboard follows the chosen day"
            if shots:
                b.screenshot(os.path.join(shots, "dashboard-ciso.png"))
            b.close()

        def an_officer_sends_a_fiscal_year_request_and_the_vendor_sees_it():
            b = browser()
            sign_in(b, "officer")
            b.go(f"{base}/requests/new")
            b.type("#title", "令和8年度 チェックシート一斉依頼（ブラウザ試験）")
            b.script("document.querySelector('#due_on').value = '2027-01-29';")
            b.click("#preview-request")
            assert b.wait_for(lambda _, src: "依頼先（" in src and "send-request" in src), "the preview lists the contracts"
            b.click("#send-request")
            assert b.wait_for(lambda url, src: re.search(r"/requests/\d+$", url) and "未提出" in src), f"the request page: {b.url()}"
            source = b.source()
            assert "<progress" in source and "提出済" in source, "progress is shown"
            if shots:
                b.screenshot(os.path.join(shots, "request-officer.png"))
            b.go(f"{base}/")
            assert "確認待ち" in b.source() and "期限超過" in b.source(), "the officer's home is its work list"
            b.close()
            v = browser()
            page = sign_in(v, "vendor")
            assert "令和8年度 チェックシート一斉依頼（ブラウザ試験）" in page, "the vendor's home lists the request"
            if shots:
                v.screenshot(os.path.join(shots, "home-vendor-request.png"))
            v.close()

        def every_page_fits_the_screen_and_speaks_to_people():
            problems = []
            axe = axe_source()
            if axe is None:
                message = "axe-core is missing: run the test command (scripts/test), which installs it with npm"
                if os.environ.get("CI") == "true":
                    raise AssertionError(message)
                print(f"!! {message}; the accessibility checks are skipped")
            for role in ["officer", "ciso", "vendor", "admin"]:
                for width in (390, 1366):
                    b = browser()
                    b.command("POST", "/window/rect", {"width": width, "height": 900})
                    sign_in(b, role)
                    visited = 0
                    for path, kind, facts in crawl(b, base):
                        visited += 1
                        if facts["width"] > facts["viewport"]:
                            problems.append(f"{role} {width}px {path}: the page is {facts['width']} px wide")
                        if axe:
                            for violation in accessibility_violations(b, axe):
                                problems.append(f"{role} {width}px {path}: {violation}")
                        for pattern, what in MACHINE_FORMATS:
                            found = re.search(pattern, facts["text"])
                            if found:
                                problems.append(f"{role} {width}px {path}: {what} in the text: {facts['text'][max(0, found.start() - 30):found.end() + 30]!r}")
                        if shots:
                            height = b.script("return document.documentElement.scrollHeight")
                            b.command("POST", "/window/rect", {"width": width, "height": min(height + 100, 4000)})
                            b.screenshot(os.path.join(shots, f"{role}-{kind.strip('/').replace('/', '_') or 'home'}-{width}.png"))
                            b.command("POST", "/window/rect", {"width": width, "height": 900})
                    assert visited >= 8, f"{role} reached only {visited} kinds of page"
                    b.close()
            assert not problems, "\n".join(problems)

        def a_vendor_signs_in_and_hands_in_a_check_sheet_with_the_keyboard_alone():
            b = browser()
            b.go(f"{base}/login")
            assert b.tab_to("#email"), "Tab reaches the e-mail field"
            b.type_into_focus("vendor@demo.itaku.example")
            assert b.tab_to("#password"), "Tab reaches the password field"
            b.type_into_focus(logins["vendor"])
            b.press(ENTER)
            assert b.wait_for(lambda url, _: "/login" not in url), "Enter signs in"
            contract = re.search(r'href="/contracts/(\d+)"', b.source()).group(1)
            b.go(f"{base}/contracts/{contract}")
            # The filled-in workbook: the contract's own template, as the vendor downloads it.
            cookies = "; ".join(f"{c['name']}={c['value']}" for c in b.command("GET", "/cookie"))
            request = urllib.request.Request(f"{base}/contracts/{contract}/checklist-template.xlsx", headers={"Cookie": cookies})
            with urllib.request.urlopen(request, timeout=30) as response:
                workbook = os.path.join(work, "checksheet.xlsx")
                with open(workbook, "wb") as f:
                    f.write(response.read())
            assert b.tab_to("#checklist-file"), "Tab reaches the check-sheet file field"
            ring = b.script("return getComputedStyle(document.activeElement.parentElement).outlineStyle")
            assert ring == "solid", f"the focused file field shows a focus ring ({ring})"
            active = b.command("GET", "/element/active")
            b.command("POST", f"/element/{next(iter(active.values()))}/value", {"text": workbook})
            assert b.tab_to("form[action$='/checklists'] button[type=submit]"), "Tab reaches the submit button"
            b.press(ENTER)
            assert b.wait_for(lambda _, src: "チェックシート" in src and ("受け付けられません" in src or "第1版" in src)), \
                f"the upload is answered: {b.url()}"
            b.close()

        def a_vendor_reports_an_incident_from_its_phone():
            b = browser()
            b.command("POST", "/window/rect", {"width": 390, "height": 900})
            page = sign_in(b, "vendor")
            contract = re.search(r'href="/contracts/(\d+)"', page).group(1)
            b.go(f"{base}/contracts/{contract}")
            b.click("a[href='#report-incident']")
            assert b.wait_for(lambda *_: b.script("return document.getElementById('report-incident').open")), \
                "the button at the top opens the report form"
            assert b.script("return document.activeElement.id") == "incident-aware", "the first field has focus"
            japan = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=9)))
            aware = (japan - datetime.timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M")
            b.type("#incident-aware", aware)
            b.type("#incident-summary", "営業担当者の業務用スマートフォンを紛失した（画面ロックあり）")
            b.click("#report-incident button[type=submit]")
            assert b.wait_for(lambda _, src: "期限内" in src and "業務用スマートフォンを紛失" in src), \
                f"the report is received and judged on time: {b.url()}"
            width = b.script("return document.documentElement.scrollWidth")
            assert width <= 390, f"the contract page is {width} px wide on a phone"
            if shots:
                b.screenshot(os.path.join(shots, "incident-reported-390.png"))
            b.close()

        def an_officer_finds_a_vendor_by_typing_part_of_its_name():
            b = browser()
            sign_in(b, "officer")
            b.go(f"{base}/contracts/new")
            count = "return document.getElementById('vendor-choices').options.length"
            assert b.script(count) == 0, "the form embeds no vendor before anything is typed"
            b.click("#vendor_identifier")
            b.type_into_focus("にほ")
            names = "return [...document.getElementById('vendor-choices').options].map(o => o.textContent + ' ' + o.value)"
            deadline = time.time() + 10
            while time.time() < deadline and not b.script(count):
                time.sleep(0.1)
            offered = b.script(names)
            assert any(o.startswith("はにほ情報システム株式会社 ") for o in offered), f"suggested: {offered}"
            b.close()

        def a_missing_page_keeps_the_menu_and_a_refusal_says_why():
            b = browser()
            sign_in(b, "vendor")
            b.go(f"{base}/no-such-page")
            source = b.source()
            assert "ページが見つかりません" in source and "自社の契約" in source, "the 404 page is inside the vendor's layout"
            b.go(f"{base}/admin/users")
            source = b.source()
            assert "このページは開けません" in source and "再読み込み" not in source, "a refusal says the page is not the user's"
            b.close()

        check("each role signs in and sees its own home page", each_role_sees_its_home)
        check("every page of every role fits 390 px and 1366 px, shows no machine format and passes axe-core (WCAG 2.2 AA)",
              every_page_fits_the_screen_and_speaks_to_people)
        check("a vendor signs in and hands in a check sheet with the keyboard alone",
              a_vendor_signs_in_and_hands_in_a_check_sheet_with_the_keyboard_alone)
        check("a vendor reports an incident from its phone with the button at the top of the contract",
              a_vendor_reports_an_incident_from_its_phone)
        check("a missing page keeps the menu; a refusal says the page is not the user's",
              a_missing_page_keeps_the_menu_and_a_refusal_says_why)
        check("an officer sends a fiscal-year request and the vendor sees it on its home page",
              an_officer_sends_a_fiscal_year_request_and_the_vendor_sees_it)
        check("the CISO's dashboard shows what is owed, for any day", the_ciso_dashboard_shows_what_is_owed_on_any_day)
        check("a vendor editing the URL to another vendor's record is refused", a_vendor_editing_the_url_is_refused)
        check("a form posted without its CSRF token is refused", a_form_without_its_csrf_token_is_refused)
        check("sign-out ends the session", sign_out_ends_the_session)
        check("an officer finds a vendor by typing part of its name", an_officer_finds_a_vendor_by_typing_part_of_its_name)
    except Exception as error:  # noqa: BLE001 - a broken setup is a failure, never a skip
        failed += 1
        print(f"FAIL setup: {error}")
        log.seek(0)
        print(log.read()[-3000:])
    finally:
        for b in browsers:
            b.close()
        for process in (driver, server):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)
    print(f"browser: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
