"""Every main page of the demo, as every demo role, at 390 and 1280 px: nothing scrolls
sideways and every control (above all the buttons and links in table rows) is on screen.

The pages are not listed by hand: each role starts at the home page and follows the links
it is shown, visiting one page per route and chapter (other ids do not make a new page; query
strings are not followed), the newest object of each kind first because it is the one people
still act on (a planned action rather than a done one). Confirmation pages reached by a link
(remove a member, disable an account, archive) are pages too; nothing here posts a form.

Each page is screenshotted at both widths into tests/artifacts/ (not committed).
"""

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
DEMO_PASSWORD = "relay-demo-2026"
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
ROLES = {
    "visitor": None,
    "leader": "leader@relay.test",
    "member": "member@relay.test",
    "advisor": "advisor@relay.test",
    "staff": "staff@relay.test",
    "admin": "admin@relay.test",
}
# Pages each role must reach (* is a chapter or playbook slug, N an id): a crawl that stops
# early would otherwise pass silently.
MUST_VISIT = {
    "visitor": {"/login", "/password/forgot"},
    "leader": {
        "/",
        "/c/*",
        "/c/*/roster",
        "/c/*/invitations",
        "/c/*/vision",
        "/c/*/vision/history",
        "/c/*/campaigns",
        "/c/*/campaigns/new",
        "/c/*/campaigns/N",
        "/c/*/campaigns/N/edit",
        "/c/*/campaigns/N/actions",
        "/c/*/campaigns/N/actions/new",
        "/c/*/campaigns/N/milestones/new",
        "/c/*/campaigns/N/pool",
        "/c/*/actions/N",
        "/c/*/actions/N/edit",
        "/c/*/milestones/N/edit",
        "/c/*/rotation",
        "/c/*/calendar",
        "/c/*/roster/N/remove",
        "/me/availability",
        "/playbooks",
        "/playbooks/*",
        "/profile",
    },
    "member": {"/", "/c/*", "/c/*/roster", "/c/*/vision", "/c/*/campaigns/N", "/c/*/actions/N"},
    "advisor": {"/", "/c/*", "/c/*/roster", "/c/*/campaigns/N", "/c/*/rotation"},
    "staff": {"/chapters", "/chapters/new", "/c/*", "/c/*/edit", "/c/*/campaigns/N"},
    "admin": {"/admin/users", "/admin/users/N/*", "/chapters", "/c/*/invitations"},
}
# Never followed: signing out, downloads, links that act on tokens, other sites.
SKIP = re.compile(r"^/(logout|static/|calendar/|invite/|password/reset/)|\.ics$")
MOST_PAGES = 60  # per role; a runaway crawl fails instead of taking minutes

# What the page measures at one width: the document's width, and every visible control whose
# box leaves the window or the scroll box it sits in, after scrolling the window (only the
# window, only vertically) to it. getBoundingClientRect ignores clipping, so a button hidden
# past the right edge of a table's scroll wrapper is caught.
MEASURE = """() => {
  const limit = window.innerWidth;
  const controls = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
    .filter(e => !e.closest('.skip-link') && e.getClientRects().length > 0)
    // A wide data table's column headers (sort links) are reached by scrolling the table.
    .filter(e => !(e.closest('thead') && e.closest('.overflow-auto')))
    .filter(e => { const r = e.getBoundingClientRect(); return r.width > 1 && r.height > 1; });
  const outside = [];
  for (const e of controls) {
    if (e.closest('tr')) {
      const before = e.getBoundingClientRect();
      window.scrollTo(window.scrollX, window.scrollY + before.top - window.innerHeight / 2);
    }
    const r = e.getBoundingClientRect();
    let left = 0, right = limit;
    for (let p = e.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (/(auto|scroll|hidden|clip)/.test(s.overflowX) && p !== document.documentElement
          && p !== document.body) {
        const box = p.getBoundingClientRect();
        left = Math.max(left, box.left);
        right = Math.min(right, box.right);
      }
    }
    if (r.left < left - 1 || r.right > right + 1) {
      const label = (e.innerText || e.value || e.getAttribute('aria-label') || e.name || '')
        .trim().slice(0, 40);
      const where = e.closest('tr') ? ' in a table row' : '';
      outside.push(`${e.tagName.toLowerCase()} "${label}"${where}`
        + ` at ${Math.round(r.left)}..${Math.round(r.right)} (visible ${Math.round(left)}..`
        + `${Math.round(right)})`);
    }
  }
  window.scrollTo(0, 0);
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > limit + 1 && !e.closest('.overflow-auto'))
    .slice(0, 5)
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
  return {
    mainTop: document.getElementById('main').getBoundingClientRect().top,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    rowControls: controls.filter(e => e.closest('tr')).length,
    outside,
    wide,
  };
}"""


def route_of(path: str) -> str:
    """The page's route: numbers become N, playbook slugs * (each chapter is visited)."""
    parts = path.rstrip("/").split("/") or [""]
    if len(parts) > 2 and parts[1] == "playbooks":
        parts[2] = "*"
    if len(parts) > 4 and parts[1] == "admin":  # /admin/users/N/disable, /enable
        parts[4] = "*"
    if len(parts) > 2 and parts[-2] == "status":  # one confirmation page per kind of change
        parts[-1] = "*"
    return re.sub(r"\b\d+\b", "N", "/".join(parts)) or "/"


def newest_first(path: str) -> tuple:
    return tuple(-int(n) for n in re.findall(r"\d+", path))


def sign_in(browser: Browser, base_url: str, email_addr: str | None) -> Page:
    context = browser.new_context(base_url=base_url, viewport=WIDTHS["desktop"])
    page = context.new_page()
    if email_addr:
        page.goto("/login")
        page.get_by_label("Email").fill(email_addr)
        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: urlsplit(url).path != "/login")
    return page


def links_on(page: Page, base_url: str) -> list[str]:
    hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
    found = []
    for href in hrefs:
        url = urlsplit(urljoin(page.url, href))
        if f"{url.scheme}://{url.netloc}" != base_url or url.query or not url.path:
            continue
        if not SKIP.search(url.path):
            found.append(url.path)
    return found


def check_page(page: Page, role: str, path: str) -> list[str]:
    problems = []
    name = path.strip("/").replace("/", "_") or "home"
    for size in WIDTHS.values():
        page.set_viewport_size(size)
        m = page.evaluate(MEASURE)
        where = f"{path} as {role} at {size['width']} px"
        if m["scrollWidth"] > m["innerWidth"]:
            problems.append(
                f"{where} scrolls sideways: {m['scrollWidth']} > {m['innerWidth']} "
                f"(wide: {m['wide']})"
            )
        problems.extend(f"{where}: {control} is off screen" for control in m["outside"])
        if m["mainTop"] > size["height"] / 4:  # the top bar must not fill the first screen
            problems.append(f"{where}: the content starts {m['mainTop']:.0f} px down")
        page.screenshot(path=ARTIFACTS / f"{role}-{name}-{size['width']}.png", full_page=True)
    page.set_viewport_size(WIDTHS["desktop"])
    return problems


@pytest.fixture(scope="module")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return ARTIFACTS


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_fits_a_phone_and_a_desktop(browser, relay, artifacts, role):
    page = sign_in(browser, relay.base_url, ROLES[role])
    try:
        start = "/login" if ROLES[role] is None else "/"
        seen_routes: set[str] = set()
        visited: list[str] = []
        problems: list[str] = []
        frontier = [start]
        while frontier and len(visited) < MOST_PAGES:
            # One page per route per round, the newest object first.
            batch: dict[str, str] = {}
            for path in sorted(frontier, key=newest_first):
                route = route_of(path)
                if route not in seen_routes and route not in batch:
                    batch[route] = path
            frontier = []
            for route, path in batch.items():
                seen_routes.add(route)
                response = page.goto(path)
                assert response is not None
                if response.status != 200:
                    problems.append(f"{path} as {role}: HTTP {response.status}")
                    continue
                if urlsplit(page.url).path != path:  # a redirect to a page of its own
                    frontier.append(urlsplit(page.url).path)
                    continue
                visited.append(path)
                problems.extend(check_page(page, role, path))
                frontier.extend(links_on(page, relay.base_url))
        missing = {
            must
            for must in MUST_VISIT.get(role, set())
            if not any(re.fullmatch(must.replace("*", "[^/]+"), r) for r in seen_routes)
        }
        if missing:
            problems.append(f"{role} never reached {sorted(missing)}; visited {visited}")
        assert not problems, "\n".join(problems)
    finally:
        page.context.close()


def test_the_top_menu_folds_behind_a_button_on_a_phone_without_javascript(browser, relay):
    context = browser.new_context(
        base_url=relay.base_url, viewport=WIDTHS["phone"], java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email").fill("admin@relay.test")
        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        main_nav = page.get_by_role("navigation", name="Main")
        accounts = main_nav.get_by_role("link", name="Accounts")
        expect(accounts).to_have_count(0)  # folded away
        main_nav.get_by_text("Menu").click()
        expect(accounts).to_be_visible()
        expect(main_nav.get_by_role("button", name="Sign out")).to_be_visible()
        accounts.click()
        expect(page.get_by_role("heading", name="Accounts", level=1)).to_be_visible()

        # On a desktop the same links are a row, with no Menu button.
        page.set_viewport_size(WIDTHS["desktop"])
        expect(main_nav.get_by_role("link", name="Accounts")).to_be_visible()
        expect(main_nav.get_by_text("Menu")).to_be_hidden()
    finally:
        context.close()


def boxes(page: Page, selector: str) -> list[dict]:
    return page.evaluate(
        "s => [...document.querySelectorAll(s)].map(e => {"
        " const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; })",
        selector,
    )


@pytest.mark.parametrize("width", list(WIDTHS))
def test_buttons_are_sized_like_the_fields_beside_them(browser, relay, width):
    page = sign_in(browser, relay.base_url, "admin@relay.test")
    try:
        page.set_viewport_size(WIDTHS[width])
        page.goto("/admin/users")  # a search box and its button, in one row
        field, button = boxes(
            page, "form[role=search] input[type=search], form[role=search] button"
        )
        assert abs(field["top"] - button["top"]) < 1.5
        assert abs(field["bottom"] - button["bottom"]) < 1.5

        page.goto("/chapters")  # labelled filters: the button lines up with the last field
        *_, last_field, button = boxes(page, "form[role=search] select, form[role=search] button")
        assert abs(last_field["top"] - button["top"]) < 1.5
        assert abs(last_field["bottom"] - button["bottom"]) < 1.5

        page.goto("/c/riverside/roster")  # a row's role picker and its button
        picker, button = boxes(page, "td form select, td form button")[:2]
        assert abs(picker["bottom"] - picker["top"] - (button["bottom"] - button["top"])) < 3
        assert abs(picker["top"] - button["top"]) < 3
    finally:
        page.context.close()
