"""Read a rendered page's POST forms as a browser would submit them."""

from html.parser import HTMLParser

SUBMITTED_INPUTS = {"", "text", "hidden", "number", "date", "datetime-local", "email", "tel"}


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}, "first": {}}
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "").lower()
            if kind in SUBMITTED_INPUTS:
                fields[name] = a.get("value") or ""
            elif kind in ("checkbox", "radio") and "checked" in a:
                fields.setdefault(name, [])
                if isinstance(fields[name], list):
                    fields[name].append(a.get("value") or "on")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            first = self._form["first"]
            first.setdefault(self._select, a.get("value") or "")
            if "selected" in a:
                fields[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data


def post_forms(html: str) -> list[dict]:
    """Each POST form: its action and the values a browser would send unchanged."""
    parser = _Forms()
    parser.feed(html)
    result = []
    for form in parser.forms:
        fields = dict(form["fields"])
        for name, value in form["first"].items():
            fields.setdefault(name, value)
        result.append({"action": form["action"], "fields": fields})
    return result


def form_for(html: str, action: str, page: str) -> dict:
    """The fields of the POST form on `page` that submits to `action`."""
    for form in post_forms(html):
        if form["action"] == action or (form["action"] == "" and action == page):
            return form["fields"]
    raise AssertionError(f"no POST form for {action!r} on {page}")
