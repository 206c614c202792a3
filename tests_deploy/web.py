"""A small browser for the production run: httpx with cookies, forms filled from the page's
own HTML (CSRF token, hidden versions, defaults), a Referer on every post as a browser sends
one over HTTPS, and a mark on each request so nginx's access log says which instance
answered it."""

import itertools
import re
import ssl
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

TIMEOUT = httpx.Timeout(30.0, connect=5.0)
MARK_HEADER = "X-Test-Request"
_marks = itertools.count(1)


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)

    def data(self, **overrides: str) -> dict[str, str]:
        unknown = set(overrides) - self.names
        assert not unknown, f"the form has no field {sorted(unknown)}; it has {sorted(self.names)}"
        values = dict(self.fields)
        values.update(overrides)
        return values


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            form.names.add(name)
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            form.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            form.names.add(name)
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            self._select[1].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            form.names.add(name)
            self._textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = [v for v, selected in options if selected] or [v for v, _ in options[:1]]
            self._form.fields.extend((name, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, parts = self._textarea
            self._form.fields.append((name, "".join(parts).removeprefix("\n")))
            self._textarea = None


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def title_of(response: httpx.Response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.text, re.S)
    return unescape(match.group(1)).strip() if match else ""


class Browser:
    """One person's browser: its own cookies, on one client address (a loopback address of
    its own, so the sign-in throttle's per-address count is this run's alone)."""

    def __init__(self, base_url: str, tls: ssl.SSLContext, source_address: str, who: str):
        self.who = who
        self.base_url = base_url
        self.marks: list[tuple[str, str, str]] = []  # (mark, method, path)
        self.http = httpx.Client(
            base_url=base_url,
            transport=httpx.HTTPTransport(verify=tls, local_address=source_address),
            timeout=TIMEOUT,
            follow_redirects=True,
            headers={"User-Agent": f"relay-deploy-test ({who})"},
            event_hooks={"request": [self._mark]},
        )

    def _mark(self, request: httpx.Request) -> None:
        mark = f"{self.who}-{next(_marks)}"
        request.headers[MARK_HEADER] = mark
        self.marks.append((mark, request.method, request.url.path))

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.http.get(url, **kwargs)

    def page(self, url: str, title: str | None = None) -> httpx.Response:
        """GET a page that must answer 200 (after redirects), with this title if given."""
        response = self.get(url)
        assert response.status_code == 200, f"{self.who}: GET {url} -> {response.status_code}"
        if title is not None:
            assert title_of(response).startswith(title), (
                f"{self.who}: {url} shows “{title_of(response)}”, expected “{title}”"
            )
        return response

    def submit(
        self,
        page: httpx.Response,
        *,
        action: str | None = None,
        having: str | None = None,
        **values: str,
    ) -> httpx.Response:
        """Post the page's form (the one whose action contains `action`, or that has a field
        named `having`, else the only one with a CSRF token) with these values over its own."""
        candidates = [f for f in forms_of(page.text) if f.method == "post"]
        if action is not None:
            candidates = [f for f in candidates if action in f.action]
        if having is not None:
            candidates = [f for f in candidates if having in f.names]
        if action is None and having is None:  # the page's own form, not the sign-out button
            candidates = [
                f
                for f in candidates
                if "csrf_token" in f.names and not f.action.endswith("/logout")
            ]
        assert len(candidates) >= 1, f"{self.who}: no such form on {page.url}"
        form = candidates[0]
        target = urljoin(str(page.url), form.action or str(page.url))
        return self.http.post(target, data=form.data(**values), headers={"Referer": str(page.url)})

    def cookie(self, name: str) -> str | None:
        return self.http.cookies.get(name)

    def close(self) -> None:
        self.http.close()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
