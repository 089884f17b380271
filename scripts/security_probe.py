"""Re-runnable security probe against a running local anjian server (the review's 16 findings).

Each check talks to the server over HTTP (and, for the database checks, to PostgreSQL
as the application's role), prints one line with the figures it saw, and the run ends
with "N passed, M failed" (exit status 1 if any failed).

    PYTHONPATH=src .venv/bin/python scripts/security_probe.py \\
        --base-url http://127.0.0.1:8031 \\
        --db-url postgres://probe_app@127.0.0.1:5432/anjian_probe [--only 1,3,12]

It needs the demo logins (password Anjian@2026), a worker (`anjian worker`) for the
import check, `requests` (dev extra), and only talks to 127.0.0.1/localhost. Every
check is bounded in requests and time (a full run takes about a minute). --db-url is
read (SELECT) for lookups and counts, and check 6 tries its refused statements there
and rolls its INSERT back.

What a check moves or plants it puts back (the enterprise's township, its name and
principal). What it must create is named so and stays, since nothing here deletes:
the probe enterprise "探针企业（安全复查）" (reused across runs, in a township other than
学院南路街道), hazards on it (探针…), two photos and three import jobs per run (failed
or cancelled), and per-run users probe-<time>-… under it, deactivated at the end.

With --trusted-proxy (the server runs with ANJIAN_TRUSTED_PROXIES=127.0.0.1) the
lockout check fails its logins from an X-Forwarded-For address of its own and logs
the owner in from another; without it the failures count against 127.0.0.1 (14 per
run, below the source limit of 50) and the other-address login is left to the tests.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import io
import json
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
import zipfile
import zlib
from html.parser import HTMLParser
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.spreadsheet_files import bomb_xlsx, far_corner_xlsx  # noqa: E402

from anjian.rules.identifiers import credit_code_check_char  # noqa: E402

PASSWORD = "Anjian@2026"  # noqa: S105 - the demo logins' password (README)
PROBE_PASSWORD = "Probe@2026x"  # noqa: S105 - the probe's throwaway users
PROBE_ENTERPRISE = "探针企业（安全复查）"
PROBE_CREDIT = "91130202MA0PRB001"
PROBE_CREDIT += credit_code_check_char(PROBE_CREDIT)
TIMEOUT = 60
RUN = time.strftime("%m%d%H%M%S")


class FormParser(HTMLParser):
    """The forms of a page: action, method and the values a browser would submit."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.select: str | None = None
        self.multiple = False
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}, "names": set()})
            return
        if not self.forms:
            return
        fields, names = self.forms[-1]["fields"], self.forms[-1]["names"]
        name = a.get("name")
        if tag == "input" and name:
            names.add(name)
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            names.add(name)
            self.select = name
            self.multiple = "multiple" in a
        elif tag == "option" and self.select:
            # a browser sends a single select's first option when none is selected,
            # and nothing for a multiple one
            if "selected" in a or (self.select not in fields and not self.multiple):
                fields[self.select] = a.get("value", "")
            self.forms[-1].setdefault("options", {}).setdefault(self.select, []).append(
                a.get("value", "")
            )
        elif tag == "textarea" and name:
            names.add(name)
            self.textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea and self.forms:
            self.forms[-1]["fields"][self.textarea] += data


def form_with(html: str, field: str) -> dict:
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if field in form["names"]:
            return form
    raise AssertionError(f"no form with field {field!r} on the page")


class Client:
    """A logged-in browser session; `api()` calls send its CSRF token as a header."""

    def __init__(self, base: str, username: str, password: str = PASSWORD):
        self.base, self.username = base, username
        self.http = requests.Session()
        page = self.http.get(f"{base}/login/", timeout=TIMEOUT)
        form = form_with(page.text, "username")
        form["fields"].update(username=username, password=password)
        answer = self.http.post(f"{base}/login/", data=form["fields"], timeout=TIMEOUT)
        if "/login/" in answer.url:
            raise AssertionError(f"login as {username} failed ({answer.status_code})")

    def get(self, path: str, **kw) -> requests.Response:
        return self.http.get(self.base + path, timeout=TIMEOUT, **kw)

    def api(self, method: str, path: str, **kw) -> requests.Response:
        headers = {"X-CSRFToken": self.http.cookies.get("csrftoken", ""), **kw.pop("headers", {})}
        return self.http.request(
            method, f"{self.base}/api/v1{path}", headers=headers, timeout=TIMEOUT, **kw
        )

    def form(self, path: str, field: str) -> dict:
        page = self.get(path)
        page.raise_for_status()
        return form_with(page.text, field)

    def post(self, path: str, data, **kw) -> requests.Response:
        headers = {"Referer": self.base + path, **kw.pop("headers", {})}
        return self.http.post(self.base + path, data=data, headers=headers, timeout=TIMEOUT, **kw)

    def submit(self, path: str, field: str, changes: dict, **kw) -> requests.Response:
        form = self.form(path, field)
        action = urllib.parse.urljoin(path, form["action"] or path)
        return self.post(action, {**form["fields"], **changes}, **kw)


def png_bytes() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def code_of(answer: requests.Response) -> str:
    try:
        return str(answer.json().get("code"))
    except ValueError:
        return "non-JSON"


def runs(answers: list[tuple[int, str]]) -> str:
    """[(401, "x"), (401, "x"), (429, "y")] → "401 x ×2, 429 y ×1"."""
    grouped: list[list] = []
    for answer in answers:
        if grouped and grouped[-1][0] == answer:
            grouped[-1][1] += 1
        else:
            grouped.append([answer, 1])
    return ", ".join(f"{s} {c} ×{n}" for (s, c), n in grouped)


def is_json_error(answer: requests.Response) -> bool:
    try:
        body = answer.json()
    except ValueError:
        return False
    return 400 <= answer.status_code < 500 and {"detail", "code"} <= set(body)


class Probe:
    def __init__(self, args):
        self.args = args
        self.base = args.base_url.rstrip("/")
        self.clients: dict[str, Client] = {}
        self.db = None
        self._fixture: dict | None = None
        self.probe_users: list[int] = []

    # -- shared helpers -------------------------------------------------------------
    def as_(self, username: str) -> Client:
        if username not in self.clients:
            self.clients[username] = Client(self.base, username)
        return self.clients[username]

    def sql(self, query: str, params=()) -> list[tuple]:
        if self.db is None:
            import psycopg

            self.db = psycopg.connect(self.args.db_url, autocommit=True)
        return self.db.execute(query, params).fetchall()

    def township_of(self, username: str) -> str:
        me = self.as_(username).api("GET", "/auth/me").json()
        org = self.as_(username).api("GET", f"/organisations/{me['organisation_id']}").json()
        return org["region_id"]

    def create_user(self, suffix: str, org_id: int, role: str = "enterprise") -> tuple[str, int]:
        """A throwaway account made by the bureau on the user page; deactivated at the end."""
        username = f"probe-{RUN}-{suffix}"
        answer = self.as_("yjj").submit(
            f"/organisations/{org_id}/users/new/",
            "username",
            {
                "username": username,
                "full_name": f"探针{suffix}",
                "role": role,
                "password": PROBE_PASSWORD,
                "phone": "",
                "email": "",
            },
        )
        row = self.sql("SELECT id FROM orgs_user WHERE username = %s", [username])
        if not row:
            raise AssertionError(f"user {username} not created ({answer.status_code})")
        self.probe_users.append(row[0][0])
        return username, row[0][0]

    def fixture(self) -> dict:
        """The probe enterprise (reused across runs), its organisation, a hazard on it and a
        per-run enterprise user of it."""
        if self._fixture is not None:
            return self._fixture
        yjj = self.as_("yjj")
        home = self.township_of("xueyuan")
        district = home[:6]
        townships = [r["code"] for r in yjj.api("GET", f"/regions?parent={district}").json()]
        other = next(c for c in townships if c != home)
        found = yjj.api("GET", "/enterprises", params={"q": PROBE_CREDIT}).json()["items"]
        if found:
            enterprise = found[0]
        else:
            industry = self.sql("SELECT code FROM orgs_industry WHERE kind = 'division' LIMIT 1")
            answer = yjj.api(
                "POST",
                "/enterprises",
                json={
                    "name": PROBE_ENTERPRISE,
                    "credit_code": PROBE_CREDIT,
                    "region": other,
                    "industry": industry[0][0],
                    "address": "探针路1号",
                    "employees": 1,
                },
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
            if answer.status_code != 201:
                raise AssertionError(f"probe enterprise not created: {answer.text[:300]}")
            enterprise = answer.json()
        org_id = self.sql(
            "SELECT id FROM orgs_organisation WHERE credit_code = %s", [PROBE_CREDIT]
        )[0][0]
        user, _ = self.create_user("ent", org_id)
        form = yjj.form(f"/hazards/new/{enterprise['id']}/", "description")
        # the form's choice, else its first real option (一般隐患 for the level)
        hazard_fields = {
            k: form["fields"].get(k)
            or next((v for v in form.get("options", {}).get(k, []) if v), "")
            for k in ("domain", "factor_class", "level", "source")
        }
        kept = self.sql(
            "SELECT min(id) FROM hazards_hazard WHERE enterprise_id = %s AND description = %s",
            [enterprise["id"], "探针隐患（固定）"],
        )[0][0]
        hazard = (
            {"id": kept}
            if kept
            else self.register_hazard(yjj, enterprise["id"], hazard_fields, "探针隐患（固定）")
        )
        self._fixture = {
            "enterprise": enterprise,
            "org_id": org_id,
            "home": home,
            "other": other,
            "townships": townships,
            "user": user,
            "hazard_fields": hazard_fields,
            "hazard": hazard,
        }
        return self._fixture

    def register_hazard(self, client, enterprise_id, fields, description, key=None) -> dict:
        answer = client.api(
            "POST",
            "/hazards",
            json={
                "enterprise_id": enterprise_id,
                "place": "探针车间",
                "description": description,
                **fields,
            },
            headers={"Idempotency-Key": key or str(uuid.uuid4())},
        )
        if answer.status_code != 201:
            raise AssertionError(f"hazard not registered: {answer.status_code} {answer.text[:300]}")
        return answer.json()

    # -- the checks -----------------------------------------------------------------
    def check_1(self):
        x = self.as_("xueyuan")
        home = self.township_of("xueyuan")
        sibling = next(
            r["code"]
            for r in x.api("GET", f"/regions?parent={home[:6]}").json()
            if r["code"] != home
        )
        other_district = str(int(home[:6]) + 1)
        parts, ok = [], True
        for module in ("hazards", "accidents"):
            url = f"/{module}/statistics/summary"
            period = {"start": "2024-01-01", "end": "2026-12-31"}
            own = x.api("GET", url, params=period).json()["totals"]
            key = "found" if "found" in own else next(iter(own))
            seen = []
            for region, expect in (
                (home[:6], "own"),
                (other_district, 404),
                (sibling, 404),
                ("13", "own"),
            ):
                answer = x.api("GET", url, params={**period, "region": region})
                if answer.status_code == 200:
                    got = answer.json()["totals"]
                    seen.append(f"{region} → {key}={got.get(key)}")
                    ok &= expect == "own" and got == own
                else:
                    seen.append(f"{region} → {answer.status_code}")
                    ok &= answer.status_code == expect
            parts.append(f"{module} (own {key}={own.get(key)}): " + ", ".join(seen))
        return ok, "statistics region leak: township asked " + "; ".join(parts)

    def check_2(self):
        yjj = self.as_("yjj")
        results, ok = [], True
        with tempfile.TemporaryDirectory() as tmp:
            # the import template as downloaded: its example row is a valid enterprise
            template = yjj.get("/enterprises/imports/template/")
            (Path(tmp) / "template.xlsx").write_bytes(template.content)
            files = {
                "far corner A1+XFD1048576": far_corner_xlsx(Path(tmp) / "far.xlsx"),
                "300 MB bomb": bomb_xlsx(Path(tmp) / "bomb.xlsx"),
                "the template": Path(tmp) / "template.xlsx",
            }
            for label, path in files.items():
                size = path.stat().st_size
                form = yjj.form("/enterprises/imports/", "file")
                with path.open("rb") as fh:
                    answer = yjj.post(
                        "/enterprises/imports/",
                        form["fields"],
                        files={"file": (path.name, fh, "application/octet-stream")},
                    )
                job = re.search(r"/enterprises/imports/(\d+)/", answer.url)
                if not job:
                    results.append(f"{label} ({size} B): upload answered {answer.status_code}")
                    ok = False
                    continue
                status, message = self.wait_import(int(job.group(1)))
                if label == "the template":
                    # checked by the worker that survived the two above; then cancelled
                    good = status == "checked"
                    self.cancel_import(int(job.group(1)))
                    status += " → " + self.wait_import(int(job.group(1)))[0]
                else:
                    good = status == "failed" and ("文件过大" in message or "压缩" in message)
                ok &= good
                results.append(f"{label} ({size:,} B) → {status} “{message[:40]}”")
        workers = self.sql(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
        )[0][0]
        results.append(f"tasks still RUNNING: {workers}")
        return ok, "xlsx bounds: " + "; ".join(results)

    def wait_import(self, job_id: int) -> tuple[str, str]:
        deadline = time.monotonic() + self.args.import_wait
        while True:
            status, message = self.sql(
                "SELECT status, message FROM enterprises_importjob WHERE id = %s", [job_id]
            )[0]
            if status != "checking" or time.monotonic() > deadline:
                return status, message
            time.sleep(1)

    def cancel_import(self, job_id: int) -> None:
        yjj = self.as_("yjj")
        page = yjj.get(f"/enterprises/imports/{job_id}/").text
        parser = FormParser()
        parser.feed(page)
        for form in parser.forms:
            if form["action"].endswith("/cancel/"):
                yjj.post(form["action"], form["fields"])

    def check_3(self):
        f = self.fixture()
        yjj, x = self.as_("yjj"), self.as_("xueyuan")
        eid, hid = f["enterprise"]["id"], f["hazard"]["id"]
        start = yjj.api("GET", f"/enterprises/{eid}").json()["region_id"]
        plan = {
            "measures": "探针",
            "responsible_person": "探针",
            "funds": "1",
            "deadline": "2026-12-30T12:00",
            "contingency": "探针",
        }
        seen, ok = [f"probe enterprise {eid} in {start}, hazard {hid}"], True

        def move(region):
            answer = yjj.api(
                "PATCH", f"/enterprises/{eid}", json={"region": region, "reason": "探针：迁移复查"}
            )
            if answer.status_code != 200:
                raise AssertionError(f"move to {region}: {answer.status_code} {answer.text[:200]}")

        try:
            seen.append(
                f"township {f['home']} before: GET {x.api('GET', f'/hazards/{hid}').status_code}"
            )
            move(f["home"])
            got = x.api("GET", f"/hazards/{hid}")
            region = got.json().get("region_code") if got.status_code == 200 else None
            seen.append(f"moved in → GET {got.status_code} region_code={region}")
            ok &= got.status_code == 200 and region == f["home"]
            move(start)
            get_old = x.api("GET", f"/hazards/{hid}").status_code
            plan_old = x.api("POST", f"/hazards/{hid}/plan", json=plan).status_code
            bureau = yjj.api("GET", f"/hazards/{hid}").json().get("region_code")
            seen.append(
                f"moved back out → GET {get_old}, POST plan {plan_old}, hazard region_code={bureau}"
            )
            ok &= get_old == 404 and plan_old == 404 and bureau == start
        finally:
            now = yjj.api("GET", f"/enterprises/{eid}").json()["region_id"]
            if now != start:
                move(start)
        return ok, "enterprise move: " + "; ".join(seen)

    def check_4(self):
        q = self.as_("qiye")
        mine = q.api("GET", "/enterprises").json()["items"][0]
        eid, grid = mine["id"], mine["grid_id"]
        other = self.sql(
            "SELECT id FROM orgs_grid WHERE id IS DISTINCT FROM %s ORDER BY id LIMIT 1", [grid]
        )[0][0]
        seen, ok = [], True
        for value in (None, other):
            answer = q.api("PATCH", f"/enterprises/{eid}", json={"grid": value})
            seen.append(f"grid={value} → {answer.status_code}")
            ok &= answer.status_code == 403
        after = q.api("GET", f"/enterprises/{eid}").json()["grid_id"]
        ok &= after == grid
        return ok, f"own grid: enterprise {eid} (grid {grid}): " + ", ".join(
            seen
        ) + f"; grid now {after}"

    def audit_count(self) -> int:
        return self.sql("SELECT count(*) FROM core_auditentry")[0][0]

    def check_5(self):
        admin = self.as_("admin")
        f = self.fixture()
        eid = f["enterprise"]["id"]
        path = f"/ops/enterprises/enterprise/{eid}/change/"
        page = admin.get(path)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        before = self.as_("yjj").api("GET", f"/enterprises/{eid}").json()["employees"]
        answer = admin.post(
            path,
            {
                "csrfmiddlewaretoken": csrf.group(1) if csrf else "",
                "employees": "999",
                "status": "closed",
            },
        )
        after = self.as_("yjj").api("GET", f"/enterprises/{eid}").json()["employees"]
        deleted = admin.post(
            f"/ops/enterprises/enterprise/{eid}/delete/",
            {"csrfmiddlewaretoken": csrf.group(1) if csrf else "", "post": "yes"},
        )
        kept = self.as_("yjj").api("GET", f"/enterprises/{eid}").status_code
        ok = answer.status_code == 403 and after == before and deleted.status_code == 403
        ok &= kept == 200
        seen = [
            f"enterprise change POST → {answer.status_code}, employees {before} → {after}",
            f"enterprise delete POST → {deleted.status_code}, enterprise still answers {kept}",
        ]
        _, uid = self.create_user("ops", f["org_id"])
        path = f"/ops/orgs/user/{uid}/change/"
        count = self.audit_count()
        answer = admin.submit(path, "username", {"full_name": "探针ops改名"})
        added = self.audit_count() - count
        name = self.sql("SELECT full_name FROM orgs_user WHERE id = %s", [uid])[0][0]
        rows = self.sql(
            "SELECT count(*) FROM core_auditentry a JOIN django_content_type c ON c.id = "
            "a.content_type_id WHERE c.model = 'user' AND a.object_id = %s AND a.reason = %s",
            [str(uid), "运维后台修改"],
        )[0][0]
        seen.append(
            f"user change POST → {answer.status_code}, name now {name!r}, audit rows +{added} "
            f"({rows} for the user from /ops/)"
        )
        ok &= name == "探针ops改名" and rows >= 1
        return ok, "ops admin: " + "; ".join(seen)

    def check_6(self):
        import psycopg

        seen, ok = [], True
        with psycopg.connect(self.args.db_url) as conn:
            role = conn.execute(
                "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
            ).fetchone()
            seen.append(f"connected as {role[0]} (superuser {role[1]})")
            ok &= not role[1]
            conn.rollback()
            attempts = {
                "TRUNCATE": "TRUNCATE core_auditentry",
                "DISABLE TRIGGER": "ALTER TABLE core_auditentry DISABLE TRIGGER ALL",
                "replica": "SET session_replication_role = replica",
                "UPDATE": "UPDATE core_auditentry SET reason = 'x' "
                "WHERE id = (SELECT min(id) FROM core_auditentry)",
                "DELETE": "DELETE FROM core_auditentry "
                "WHERE id = (SELECT min(id) FROM core_auditentry)",
            }
            for label, statement in attempts.items():
                try:
                    conn.execute(statement)
                    seen.append(f"{label} ACCEPTED")
                    ok = False
                except psycopg.Error as exc:
                    seen.append(f"{label} refused ({type(exc).__name__})")
                conn.rollback()
            ct = conn.execute(
                "SELECT id FROM django_content_type WHERE model = 'auditentry'"
            ).fetchone()[0]
            stored, now = conn.execute(
                "INSERT INTO core_auditentry (created_at, actor_name, action, content_type_id, "
                "object_id, object_repr, changes, reason) VALUES ('2001-01-01 00:00+00', "
                "'security_probe', 'update', %s, '0', '探针回滚', '{}', '探针：回滚的插入') "
                "RETURNING created_at, now()",
                [ct],
            ).fetchone()
            conn.rollback()
            seen.append(
                f"back-dated INSERT stored created_at={stored:%Y-%m-%d %H:%M} (rolled back)"
            )
            ok &= stored.year != 2001 and abs((stored - now).total_seconds()) < 60
        return ok, "database role: " + ", ".join(seen)

    def check_7(self):
        f = self.fixture()
        yjj = self.as_("yjj")
        eid = f["enterprise"]["id"]
        marker = f"探针双击{RUN}"
        form = yjj.form(f"/hazards/new/{eid}/", "description")
        data = {
            **form["fields"],
            **f["hazard_fields"],
            "place": "探针车间",
            "description": marker,
        }
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            statuses = list(
                pool.map(lambda _: yjj.post(f"/hazards/new/{eid}/", data).status_code, range(2))
            )
        rows = self.sql("SELECT count(*) FROM hazards_hazard WHERE description = %s", [marker])[0][
            0
        ]
        key = str(uuid.uuid4())
        marker2 = marker + "API"
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            answers = list(
                pool.map(
                    lambda _: yjj.api(
                        "POST",
                        "/hazards",
                        json={
                            "enterprise_id": eid,
                            "place": "探针车间",
                            "description": marker2,
                            **f["hazard_fields"],
                        },
                        headers={"Idempotency-Key": key},
                    ),
                    range(2),
                )
            )
        ids = [a.json().get("id") if a.status_code < 300 else a.status_code for a in answers]
        rows2 = self.sql("SELECT count(*) FROM hazards_hazard WHERE description = %s", [marker2])[
            0
        ][0]
        ok = rows == 1 and rows2 == 1 and len(set(ids)) == 1
        return ok, (
            f"double submit: form ×2 → {statuses}, {rows} record; "
            f"API ×2 same key → ids {ids}, {rows2} record"
        )

    def planted_cells(self, path: str, params: dict, marker: str) -> tuple[bool, list[str]]:
        """Export `path` as the bureau; every cell holding `marker` must be text, not a
        formula: a string cell without <f> in the sheet's xml."""
        import openpyxl

        export = self.as_("yjj").get(path, params={**params, "export": "xlsx"})
        book = openpyxl.load_workbook(io.BytesIO(export.content))
        cells = [c for row in book.active.iter_rows() for c in row if marker in str(c.value)]
        with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
            sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        text = [
            c.data_type == "s"
            and (xml := re.search(rf'<c r="{c.coordinate}"[^>]*>.*?</c>', sheet)) is not None
            and "<f>" not in xml.group(0)
            for c in cells
        ]
        if not cells:
            return False, [f"{path} export {export.status_code}: planted text not found"]
        first = cells[0]
        return all(text), [
            f"{path} export: {len(cells)} cell(s) with it, {sum(text)} text without <f> "
            f"(e.g. {first.coordinate} type {first.data_type!r} quotePrefix {first.quotePrefix} "
            f"value {first.value!r})"
        ]

    def check_8(self):
        f = self.fixture()
        owner = Client(self.base, f["user"], PROBE_PASSWORD)
        yjj = self.as_("yjj")
        eid = f["enterprise"]["id"]
        before = owner.api("GET", f"/enterprises/{eid}").json()
        seen, ok = [], True
        try:
            # what the issue saw: the enterprise plants a formula in its principal's name
            answer = owner.api(
                "PATCH",
                f"/enterprises/{eid}",
                json={"principal_name": '=HYPERLINK("http://x","y")'},
            )
            seen.append(f"principal_name planted by the enterprise → {answer.status_code}")
            good, lines = self.planted_cells("/enterprises/", {"q": PROBE_CREDIT}, "HYPERLINK")
            ok &= good
            seen += lines
            # a DDE payload in the enterprise name reaches the hazard ledger's export
            answer = yjj.api(
                "PATCH",
                f"/enterprises/{eid}",
                json={"name": "=cmd|' /C calc'!A0", "reason": "探针：导出公式复查"},
            )
            seen.append(f"name planted by the bureau → {answer.status_code}")
            good, lines = self.planted_cells("/hazards/", {"enterprise": PROBE_CREDIT}, "cmd|")
            ok &= good
            seen += lines
        finally:
            owner.api(
                "PATCH", f"/enterprises/{eid}", json={"principal_name": before["principal_name"]}
            )
            yjj.api(
                "PATCH",
                f"/enterprises/{eid}",
                json={"name": before["name"], "reason": "探针：还原"},
            )
        after = yjj.api("GET", f"/enterprises/{eid}").json()
        restored = (after["name"], after["principal_name"]) == (
            before["name"],
            before["principal_name"],
        )
        ok &= restored
        return ok, "export formulas: " + "; ".join(seen) + f"; restored: {restored}"

    def check_9(self):
        f = self.fixture()
        owner = Client(self.base, f["user"], PROBE_PASSWORD)
        hid = f["hazard"]["id"]
        seen, ok = [], True
        for name, mime in (("poly.html", "text/html"), ("poly.svg", "image/svg+xml")):
            body = png_bytes() + b"<script>alert(1)</script>"
            answer = owner.api(
                "POST",
                f"/hazards/{hid}/photos",
                params={"stage": "before"},
                files={"photos": (name, body, mime)},
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
            stored = self.sql(
                "SELECT image FROM hazards_hazardphoto WHERE hazard_id = %s "
                "ORDER BY id DESC LIMIT 1",
                [hid],
            )
            path = stored[0][0] if stored else None
            seen.append(f"{name} → {answer.status_code}, stored {path}")
            ok &= (
                answer.status_code == 201
                and bool(path)
                and path.endswith(".png")
                and "poly" not in path
            )
        return ok, "upload names: " + "; ".join(seen)

    def check_10(self):
        f = self.fixture()
        known, uid = self.create_user("lock", f["org_id"])
        unknown = f"probe-{RUN}-nobody"
        # a fresh address each run, so repeated runs never refuse 127.0.0.1 itself
        address = f"198.51.100.{uuid.uuid4().int % 200 + 20}"
        source = {"X-Forwarded-For": address} if self.args.trusted_proxy else {}
        sequences = {}
        for name in (known, unknown):
            seq = []
            for _ in range(7):
                started = time.perf_counter()
                answer = requests.post(
                    f"{self.base}/api/v1/auth/token",
                    json={"username": name, "password": "wrong-password"},
                    headers=source,
                    timeout=TIMEOUT,
                )
                ms = (time.perf_counter() - started) * 1000
                seq.append((answer.status_code, code_of(answer), round(ms)))
            sequences[name] = seq
        a = [s[:2] for s in sequences[known]]
        b = [s[:2] for s in sequences[unknown]]
        ok = a == b and a[-1][0] == 429
        times = {n: statistics.median(s[2] for s in seq) for n, seq in sequences.items()}
        line = (
            f"lockout, 7 wrong passwords: known {runs(a)} vs unknown {runs(b)} "
            f"(median {times[known]:.0f} vs {times[unknown]:.0f} ms)"
        )
        if self.args.trusted_proxy:
            elsewhere = requests.post(
                f"{self.base}/api/v1/auth/token",
                json={"username": known, "password": PROBE_PASSWORD},
                headers={"X-Forwarded-For": "198.51.100.99"},
                timeout=TIMEOUT,
            )
            line += f"; owner from another address → {elsewhere.status_code}"
            ok &= elsewhere.status_code == 201
        else:
            line += "; login from another address: covered by tests (no --trusted-proxy)"
        page = self.as_("yjj").get(f"/users/{uid}/")
        form = None
        parser = FormParser()
        parser.feed(page.text)
        for candidate in parser.forms:
            if candidate["action"].endswith("/unlock/"):
                form = candidate
        if form is not None:
            answer = self.as_("yjj").post(form["action"], {**form["fields"], "reason": "探针解锁"})
            again = requests.post(
                f"{self.base}/api/v1/auth/token",
                json={"username": known, "password": PROBE_PASSWORD},
                headers=source,
                timeout=TIMEOUT,
            )
            line += f"; bureau unlock → {answer.status_code}, login again → {again.status_code}"
        else:
            line += "; no unlock button shown"
        return ok, line

    def check_11(self):
        f = self.fixture()
        user, uid = self.create_user("token", f["org_id"])
        made = requests.post(
            f"{self.base}/api/v1/auth/token",
            json={"username": user, "password": PROBE_PASSWORD, "name": "探针"},
            timeout=TIMEOUT,
        )
        body = made.json()
        bearer = {"Authorization": f"Bearer {body.get('token')}"}
        me = requests.get(f"{self.base}/api/v1/auth/me", headers=bearer, timeout=TIMEOUT)
        listed = requests.get(
            f"{self.base}/api/v1/auth/tokens", headers=bearer, timeout=TIMEOUT
        ).json()
        mine = next((t for t in listed if t["id"] == body.get("id")), {})
        reset = self.as_("yjj").submit(
            f"/users/{uid}/password/",
            "new_password1",
            {"new_password1": PROBE_PASSWORD + "2", "new_password2": PROBE_PASSWORD + "2"},
        )
        after = requests.get(f"{self.base}/api/v1/auth/me", headers=bearer, timeout=TIMEOUT)
        ok = (
            made.status_code == 201
            and bool(body.get("expires_at"))
            and me.status_code == 200
            and bool(mine.get("last_used_at"))
            and after.status_code == 401
        )
        return ok, (
            f"API token: created {made.status_code} expires_at={body.get('expires_at')}, "
            f"/me {me.status_code}, listed last_used_at={mine.get('last_used_at')}; "
            f"password reset {reset.status_code} → token {after.status_code}"
        )

    def check_12(self):
        yjj = self.as_("yjj")
        f = self.fixture()
        template = self.sql("SELECT id FROM inspections_checklisttemplate LIMIT 1")[0][0]
        cases = [
            ("POST /enterprises {}", lambda: yjj.api("POST", "/enterprises", json={})),
            ("POST /enterprises []", lambda: yjj.api("POST", "/enterprises", json=[])),
            (
                "POST /enterprises region null",
                lambda: yjj.api("POST", "/enterprises", json={"region": None}),
            ),
            (
                "PATCH region null",
                lambda: yjj.api(
                    "PATCH", f"/enterprises/{f['enterprise']['id']}", json={"region": None}
                ),
            ),
            (
                "points latitude NaN",
                lambda: yjj.api(
                    "POST",
                    "/inspections/points",
                    data=json.dumps(
                        {
                            "enterprise_id": f["enterprise"]["id"],
                            "name": "探针",
                            "template_id": template,
                            "latitude": float("nan"),
                            "longitude": 118.1,
                        }
                    ),
                    headers={"Content-Type": "application/json"},
                ),
            ),
            (
                "inspection latitude NaN",
                lambda: yjj.api(
                    "POST",
                    "/inspections",
                    data=json.dumps(
                        {
                            "client_id": str(uuid.uuid4()),
                            "enterprise_id": f["enterprise"]["id"],
                            "template_id": template,
                            "kind": "department",
                            "place": "探针",
                            "signed_by": "探针",
                            "answers": [],
                            "latitude": float("nan"),
                            "longitude": 118.1,
                        }
                    ),
                    headers={"Content-Type": "application/json"},
                ),
            ),
            (
                "target year 99999",
                lambda: yjj.api("GET", "/accidents/statistics/target?region=130202&year=99999"),
            ),
        ]
        seen, ok = [], True
        for label, call in cases:
            answer = call()
            good = is_json_error(answer)
            ok &= good and "X-Request-ID" in answer.headers
            fields = sorted({e["field"] for e in answer.json().get("errors", [])}) if good else []
            seen.append(f"{label} → {answer.status_code} {code_of(answer)} {','.join(fields)}")
        for page in ("/hazards/statistics/", "/accidents/statistics/", "/inspections/statistics/"):
            answer = yjj.get(page, params={"start": "2024-01-01", "end": "9999-12-31"})
            ok &= answer.status_code < 500
            seen.append(f"{page} end=9999-12-31 → {answer.status_code}")
        answer = yjj.submit("/accidents/new/", "category", {"region": "\x00"})
        ok &= answer.status_code < 500 and "X-Request-ID" in answer.headers
        seen.append(
            f"accident form region=\\x00 → {answer.status_code}; "
            f"X-Request-ID {answer.headers.get('X-Request-ID', 'missing')[:12]}…"
        )
        return ok, "500s: " + ", ".join(seen)

    def check_13(self):
        f = self.fixture()
        yjj = self.as_("yjj")
        owner = Client(self.base, f["user"], PROBE_PASSWORD)
        hid = f["hazard"]["id"]
        seen, ok = [], True
        answer = owner.api(
            "POST",
            "/hazards/filings",
            json={"year": 2026, "quarter": 0, "signed_by": "探针", "note": "长" * 120_000},
        )
        seen.append(f"120,000-char note → {answer.status_code} {code_of(answer)}")
        ok &= answer.status_code == 400
        answer = owner.api(
            "POST",
            f"/hazards/{hid}/plan",
            json={
                "measures": "探针",
                "responsible_person": "探针",
                "funds": "1",
                "deadline": "9999-12-31T12:00",
                "contingency": "探针",
            },
        )
        seen.append(f"deadline 9999-12-31 → {answer.status_code} {code_of(answer)}")
        ok &= answer.status_code == 400
        answer = yjj.api(
            "POST",
            "/enterprises",
            data=b'{"name": "' + b"x" * (11 * 1024 * 1024) + b'"}',
            headers={"Content-Type": "application/json"},
        )
        seen.append(f"11 MB body → {answer.status_code} {code_of(answer)}")
        ok &= is_json_error(answer)
        answer = yjj.api(
            "POST",
            "/enterprises",
            json={
                "name": "探针重复代码",
                "credit_code": PROBE_CREDIT,
                "region": f["other"],
                "industry": self.sql(
                    "SELECT code FROM orgs_industry WHERE kind = 'division' LIMIT 1"
                )[0][0],
            },
        )
        text = json.dumps(answer.json(), ensure_ascii=False) if is_json_error(answer) else ""
        leaks = re.search(r"orgs_\w+|_unique|constraint|duplicate key", text, re.I)
        seen.append(f"duplicate credit code → {answer.status_code} {text[:120]}")
        ok &= bool(text) and not leaks and re.search(r"[\u4e00-\u9fff]", text) is not None
        return ok, "limits: " + "; ".join(seen)

    def check_14(self):
        command = [
            sys.executable,
            str(ROOT / "scripts" / "load_probe.py"),
            "--base",
            self.base,
            "--clients",
            "16",
            "--seconds",
            str(self.args.load_seconds),
            "--max-requests",
            "3000",
            "--users",
            "yjj,xueyuan,quzhang,zhujian",
            "/accidents/",
            "/hazards/",
        ]
        env = {"DATABASE_URL": self.args.db_url, "PATH": "/usr/bin:/bin"}
        run = subprocess.run(  # noqa: S603 - our own script, fixed arguments
            command, capture_output=True, text=True, timeout=self.args.load_seconds + 120, env=env
        )
        out = run.stdout
        total = re.search(r"(\d+) ok, (\d+) errors", out)
        conns = re.search(r"before (\d+), after login (\d+), peak (\d+), after (\d+)", out)
        if not total or not conns:
            return False, f"load: no figures ({run.returncode}): {out[-300:]} {run.stderr[-300:]}"
        before, _, peak, after = map(int, conns.groups())
        ok = int(total.group(2)) == 0 and peak <= self.args.max_connections
        return ok, (
            f"connections under 16 clients × {self.args.load_seconds} s: {total.group(1)} ok, "
            f"{total.group(2)} errors; connections before {before}, peak {peak} "
            f"(at most {self.args.max_connections}), after {after}"
        )

    def check_15(self):
        yjj = self.as_("yjj")
        yjj.get("/accidents/")
        times = []
        for _ in range(30):
            started = time.perf_counter()
            answer = yjj.get("/accidents/")
            times.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                return False, f"/accidents/ answered {answer.status_code}"
        times.sort()
        p50, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
        ok = p50 <= self.args.max_p50_ms
        return ok, f"/accidents/ as the bureau, 30 requests: p50 {p50:.0f} ms, p95 {p95:.0f} ms"

    def check_16(self):
        yjj = self.as_("yjj")
        total = yjj.api("GET", "/enterprises", params={"page_size": 1}).json()["count"]
        for flag in ("is_hazardous_chemicals", "is_crowded_place", "is_dust_explosion", "is_mine"):
            answer = yjj.api("GET", "/enterprises", params={"flag": flag, "page_size": 100}).json()
            count = answer["count"]
            if 0 < count < total:
                every = all(flag in row["flags"] for row in answer["items"])
                ok = every
                return ok, (
                    f"flag filter: ?flag={flag} → {count} of {total}, "
                    f"every row flagged: {every} ({len(answer['items'])} checked)"
                )
        return False, f"flag filter: no flag narrowed the {total} enterprises"

    def cleanup(self):
        yjj = self.clients.get("yjj")
        for uid in self.probe_users:
            if yjj is None:
                break
            page = yjj.get(f"/users/{uid}/")
            parser = FormParser()
            parser.feed(page.text)
            for form in parser.forms:
                if form["action"].endswith("/active/") and form["fields"].get("active") == "0":
                    yjj.post(form["action"], {**form["fields"], "reason": "探针结束，停用"})


TITLES = {
    1: "statistics region leak",
    2: "spreadsheet bounds",
    3: "enterprise move",
    4: "enterprise sets own grid",
    5: "ops admin",
    6: "database role",
    7: "double submission",
    8: "export formulas",
    9: "upload names",
    10: "lockout",
    11: "API tokens",
    12: "server errors",
    13: "limits",
    14: "connections",
    15: "accident ledger speed",
    16: "flag filter",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8031")
    parser.add_argument("--db-url", default="postgres://probe_app@127.0.0.1:5432/anjian_probe")
    parser.add_argument("--only", default="", help="comma-separated check numbers, e.g. 1,3,12")
    parser.add_argument("--trusted-proxy", action="store_true")
    parser.add_argument("--import-wait", type=float, default=90)
    parser.add_argument("--load-seconds", type=int, default=10)
    parser.add_argument(
        "--max-connections",
        type=int,
        default=30,
        help="most connections to the database at the load's peak (PostgreSQL allows 100)",
    )
    parser.add_argument("--max-p50-ms", type=float, default=400)
    args = parser.parse_args()
    if urllib.parse.urlparse(args.base_url).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("the probe only runs against a local server")
    if urllib.parse.urlparse(args.db_url).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("the probe only connects to a local database")
    wanted = [int(n) for n in args.only.split(",") if n.strip()] or list(TITLES)
    probe = Probe(args)
    passed = failed = 0
    try:
        for number in wanted:
            started = time.monotonic()
            try:
                ok, line = getattr(probe, f"check_{number}")()
            except Exception as exc:  # a probe that breaks is a failed check, not a crash
                ok, line = False, f"{TITLES[number]}: {type(exc).__name__}: {exc}"[:600]
            took = time.monotonic() - started
            print(f"{number} {line} ({took:.1f} s) … {'OK' if ok else 'FAIL'}", flush=True)
            passed, failed = passed + ok, failed + (not ok)
    finally:
        probe.cleanup()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
