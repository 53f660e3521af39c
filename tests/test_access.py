"""Every door, every role: each URL pattern and websocket route is asked by anonymous, an agent,
a supervisor and an admin, and answers as ONE table says (:data:`TABLE`).

A route without a row fails (write down who may use it), and so does a row without a route.
Requests are real ones through Django's test client (and Channels' communicator for
websockets), with ids of objects that exist. A method a route has no row for must be refused,
or answered 405, for everyone. Outcomes: ``IN`` the door let the user through (whatever the
view answered then: 200, 400, 404, 409...), ``NO`` refused (401/403, or the socket closed),
``LOGIN`` sent to log in (a redirect to a log-in page with ``next``).
"""

from __future__ import annotations

import fnmatch
import io
import json
import re
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from channels.testing import WebsocketCommunicator
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone

from contactcenter.campaigns.models import Campaign, ContactList, ImportBatch
from contactcenter.console.models import ConsoleCall
from contactcenter.people.models import DoNotCall, Skill
from contactcenter.people.roles import Role, set_role
from contactcenter.routing import websocket_urlpatterns
from contactcenter.telephony.models import BusinessHours, InboundRoute, Trunk
from tests.console.factories import make_world

IN, NO, LOGIN = "in", "no", "login"

EVERYONE = (IN, IN, IN, IN)
MANAGERS = (NO, NO, IN, IN)  # supervisors and admins
ADMINS = (NO, NO, NO, IN)
AGENTS = (NO, IN, NO, NO)
READ_ONLY = (LOGIN, LOGIN, LOGIN, NO)  # admin pages of records nobody edits, admins included
PROBED = ("GET", "POST", "PUT", "PATCH", "DELETE")

# (method, route) -> outcome for (anonymous, agent, supervisor, admin). Routes as Django writes
# them. Method "*": every method probed. fnmatch patterns are for the admin site only, whose
# every view is behind one door (AdminSite.has_permission).
TABLE: dict[tuple[str, str], tuple[str, str, str, str]] = {
    ("GET", ""): EVERYONE,
    ("GET", "healthz"): EVERYONE,
    # Prometheus sends the metrics token instead (tests/metrics/test_endpoint.py).
    ("GET", "metrics"): MANAGERS,
    ("*", "login/"): EVERYONE,  # a form view takes PUT as POST; a logged-in user is sent on, any method
    ("POST", "logout/"): EVERYONE,
    # The admin site: for admins; everyone else is sent to its log-in.
    ("*", "admin/*"): (LOGIN, LOGIN, LOGIN, IN),
    ("*", "admin/login/"): EVERYONE,
    ("*", "admin/logout/"): EVERYONE,
    # Asked by a form's autocomplete field: without one named (none of ours has any), refused to all.
    ("GET", "admin/autocomplete/"): READ_ONLY,
    # Records written elsewhere (the ledger by pbx, attempts by the dialer, imports by the
    # importer, console calls by the console): admins read them, nobody writes them here.
    ("GET", "admin/ledger/*/<path:object_id>/change/"): (LOGIN, LOGIN, LOGIN, IN),
    ("POST", "admin/ledger/*/<path:object_id>/change/"): READ_ONLY,
    ("*", "admin/ledger/*/add/"): READ_ONLY,
    ("*", "admin/ledger/*/<path:object_id>/delete/"): READ_ONLY,
    # The first queue is the fail-safe one (a migration makes it): nobody deletes it.
    ("*", "admin/people/humanqueue/<path:object_id>/delete/"): READ_ONLY,
    ("*", "admin/campaigns/callattempt/add/"): READ_ONLY,
    ("*", "admin/campaigns/importbatch/add/"): READ_ONLY,
    ("*", "admin/console/consolecall/add/"): READ_ONLY,
    ("*", "admin/campaigns/webhookdelivery/add/"): READ_ONLY,
    ("*", "admin/people/reservation/add/"): READ_ONLY,  # made by pre-alert's event consumer
    ("*", "admin/axes/*/add/"): READ_ONLY,  # failed and successful logins, written by django-axes
    # The API: configuration is read by managers, written by admins; campaigns run by managers.
    ("GET", "api/"): MANAGERS,
    ("GET", "api/schema/"): EVERYONE,  # the API's description holds no data
    ("GET", "api/docs/"): EVERYONE,
    ("GET", "api/^campaigns/?$"): MANAGERS,
    ("POST", "api/^campaigns/?$"): ADMINS,
    ("GET", "api/^campaigns/(?P<pk>[^/.]+)/?$"): MANAGERS,
    ("PUT", "api/^campaigns/(?P<pk>[^/.]+)/?$"): ADMINS,
    ("PATCH", "api/^campaigns/(?P<pk>[^/.]+)/?$"): ADMINS,
    ("DELETE", "api/^campaigns/(?P<pk>[^/.]+)/?$"): ADMINS,
    ("POST", "api/^campaigns/(?P<pk>[^/.]+)/imports/?$"): ADMINS,
    ("POST", "api/^campaigns/(?P<pk>[^/.]+)/start/?$"): MANAGERS,
    ("POST", "api/^campaigns/(?P<pk>[^/.]+)/pause/?$"): MANAGERS,
    ("POST", "api/^campaigns/(?P<pk>[^/.]+)/stop/?$"): ADMINS,
    ("GET", "api/^campaigns/(?P<pk>[^/.]+)/progress/?$"): MANAGERS,
    ("GET", "api/^campaigns/(?P<pk>[^/.]+)/preview/next/?$"): MANAGERS,
    ("GET", "api/^campaigns/(?P<pk>[^/.]+)/results/?$"): MANAGERS,
    ("GET", "api/^campaigns/(?P<pk>[^/.]+)/export.csv/?$"): MANAGERS,
    ("GET", "api/^leads/?$"): MANAGERS,
    ("POST", "api/^leads/?$"): ADMINS,
    ("GET", "api/^leads/(?P<pk>[^/.]+)/?$"): MANAGERS,
    ("PUT", "api/^leads/(?P<pk>[^/.]+)/?$"): ADMINS,
    ("PATCH", "api/^leads/(?P<pk>[^/.]+)/?$"): ADMINS,
    ("DELETE", "api/^leads/(?P<pk>[^/.]+)/?$"): ADMINS,
    ("POST", "api/^leads/(?P<pk>[^/.]+)/dial/?$"): MANAGERS,
    ("GET", "api/^attempts/?$"): MANAGERS,
    ("GET", "api/^attempts/(?P<pk>[^/.]+)/?$"): MANAGERS,
    ("POST", "api/^attempts/(?P<pk>[^/.]+)/disposition/?$"): MANAGERS,
    ("GET", "api/^dnc/?$"): MANAGERS,
    ("POST", "api/^dnc/?$"): ADMINS,
    ("GET", "api/^dnc/(?P<pk>[^/.]+)/?$"): MANAGERS,
    ("DELETE", "api/^dnc/(?P<pk>[^/.]+)/?$"): ADMINS,
    ("GET", "api/^imports/?$"): MANAGERS,
    ("GET", "api/^imports/(?P<pk>[^/.]+)/?$"): MANAGERS,
    ("GET", "api/^imports/(?P<pk>[^/.]+)/errors.csv/?$"): MANAGERS,
    # The PBX's configuration (contactcenter.people.api, contactcenter.telephony.api).
    ("GET", "api/^queues/?$"): MANAGERS,
    ("POST", "api/^queues/?$"): ADMINS,
    ("GET", "api/^queues/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)/?$"): MANAGERS,
    ("PUT", "api/^queues/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)/?$"): ADMINS,
    ("PATCH", "api/^queues/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)/?$"): ADMINS,
    ("DELETE", "api/^queues/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)/?$"): ADMINS,
    ("GET", "api/^agents/?$"): MANAGERS,
    ("POST", "api/^agents/?$"): ADMINS,
    ("GET", "api/^agents/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)/?$"): MANAGERS,
    ("PUT", "api/^agents/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)/?$"): ADMINS,
    ("PATCH", "api/^agents/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)/?$"): ADMINS,
    ("DELETE", "api/^agents/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)/?$"): ADMINS,
    # An agent's SIP credentials: admins, and the agent's own user (another agent's: 403, tests/people).
    ("GET", "api/^agents/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)/credentials/?$"): (NO, IN, NO, IN),
    ("POST", "api/^agents/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)/credentials/rotate/?$"): ADMINS,
    ("GET", "api/^skills/?$"): MANAGERS,
    ("POST", "api/^skills/?$"): ADMINS,
    ("GET", "api/^skills/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)/?$"): MANAGERS,
    ("PUT", "api/^skills/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)/?$"): ADMINS,
    ("PATCH", "api/^skills/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)/?$"): ADMINS,
    ("DELETE", "api/^skills/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)/?$"): ADMINS,
    ("GET", "api/^trunks/?$"): MANAGERS,
    ("POST", "api/^trunks/?$"): ADMINS,
    ("GET", "api/^trunks/(?P<name>[A-Za-z0-9_-]+)/?$"): MANAGERS,
    ("PUT", "api/^trunks/(?P<name>[A-Za-z0-9_-]+)/?$"): ADMINS,
    ("PATCH", "api/^trunks/(?P<name>[A-Za-z0-9_-]+)/?$"): ADMINS,
    ("DELETE", "api/^trunks/(?P<name>[A-Za-z0-9_-]+)/?$"): ADMINS,
    ("GET", "api/^business-hours/?$"): MANAGERS,
    ("POST", "api/^business-hours/?$"): ADMINS,
    ("GET", "api/^business-hours/(?P<name>[-a-zA-Z0-9_]+)/?$"): MANAGERS,
    ("PUT", "api/^business-hours/(?P<name>[-a-zA-Z0-9_]+)/?$"): ADMINS,
    ("PATCH", "api/^business-hours/(?P<name>[-a-zA-Z0-9_]+)/?$"): ADMINS,
    ("DELETE", "api/^business-hours/(?P<name>[-a-zA-Z0-9_]+)/?$"): ADMINS,
    ("GET", "api/^inbound-routes/?$"): MANAGERS,
    ("POST", "api/^inbound-routes/?$"): ADMINS,
    ("GET", "api/^inbound-routes/(?P<did>\\+?[0-9]+)/?$"): MANAGERS,
    ("PUT", "api/^inbound-routes/(?P<did>\\+?[0-9]+)/?$"): ADMINS,
    ("PATCH", "api/^inbound-routes/(?P<did>\\+?[0-9]+)/?$"): ADMINS,
    ("DELETE", "api/^inbound-routes/(?P<did>\\+?[0-9]+)/?$"): ADMINS,
    # The console: the agent role's, each agent its own calls (another's is a 404: tests/console).
    ("GET", "console/"): (LOGIN, IN, NO, NO),
    ("*", "console/login/"): EVERYONE,
    ("POST", "console/logout/"): EVERYONE,
    ("GET", "console/api/session"): AGENTS,
    ("POST", "console/api/state"): AGENTS,
    ("POST", "console/api/calls"): AGENTS,
    ("POST", "console/api/calls/<int:pk>/answered"): AGENTS,
    ("POST", "console/api/calls/<int:pk>/ended"): AGENTS,
    ("POST", "console/api/calls/<int:pk>/disposition"): AGENTS,
    ("POST", "console/api/wrap-up/end"): AGENTS,
    ("GET", "console/api/history"): AGENTS,
    ("GET", "console/ringtone.wav"): (LOGIN, IN, NO, NO),
    ("GET", "wallboard/"): (LOGIN, NO, IN, IN),
    # Supervisors: the page and its API (listen / whisper / barge, take over, force an agent's state).
    ("GET", "supervisor/"): (LOGIN, NO, IN, IN),
    ("GET", "api/^supervisor/session/?$"): MANAGERS,
    ("POST", "api/^supervisor/calls/(?P<call_id>[^/.]+)/supervise/?$"): MANAGERS,
    ("POST", "api/^supervisor/calls/(?P<call_id>[^/.]+)/stop/?$"): MANAGERS,
    ("POST", "api/^supervisor/calls/(?P<call_id>[^/.]+)/takeover/?$"): MANAGERS,
    ("POST", "api/^supervisor/agents/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)/pause/?$"): MANAGERS,
    ("POST", "api/^supervisor/agents/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)/log-out/?$"): MANAGERS,
    ("GET", "reports/"): (LOGIN, NO, IN, IN),
    ("GET", "reports/export.csv"): (LOGIN, NO, IN, IN),
    ("GET", "api/reports/"): MANAGERS,
    ("POST", "wallboard/callbacks/"): MANAGERS,
    # Websockets.
    ("WS", "ws/console/"): AGENTS,
    ("WS", "ws/wallboard/"): MANAGERS,
}

def _walk(patterns: list, prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


ROUTES = list(_walk(get_resolver().url_patterns))
SOCKETS = [str(p.pattern) for p in websocket_urlpatterns]


def rows_for(route: str) -> dict[str, tuple[str, str, str, str]]:
    """The route's rows; for the admin, else those of the longest pattern it matches."""
    exact = {method: who for (method, r), who in TABLE.items() if r == route}
    if exact:
        return exact
    globbed = [(r, method, who) for (method, r), who in TABLE.items()
               if "*" in r and fnmatch.fnmatchcase(route, r)]  # fmt: skip
    return {method: who for r, method, who in globbed if len(r) == max(len(g[0]) for g in globbed)}


def test_every_row_names_a_route_and_every_route_has_a_row() -> None:
    stale = [(m, r) for (m, r) in TABLE if r not in {*ROUTES, *SOCKETS}
             and not ("*" in r and any(fnmatch.fnmatchcase(route, r) for route in ROUTES))]  # fmt: skip
    assert not stale, f"rows for routes that do not exist: {stale}"
    missing = [r for r in ROUTES if not rows_for(r)] + [s for s in SOCKETS if ("WS", s) not in TABLE]
    assert not missing, f"routes without a row in TABLE (say who may use them): {missing}"


@pytest.fixture(scope="module")
def ledger_tables(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The ledger's tables (Alembic makes them on a real stack), so the admin's ledger pages open."""
    models = list(apps.get_app_config("ledger").get_models())
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            for model in models:
                editor.create_model(model)
        yield
        with connection.schema_editor() as editor:
            for model in models:
                editor.delete_model(model)


def make_people_and_things() -> tuple[dict, dict[str, int | str]]:
    """A user of each role (and anonymous), and one object of each kind the routes name."""
    w = make_world()
    users = {"anonymous": None, "agent": w.user}
    for name, role in (("supervisor", Role.SUPERVISOR), ("admin", Role.ADMIN)):
        users[name] = get_user_model().objects.create_user(f"{name}-{uuid.uuid4().hex[:6]}", password="x" * 12)
        set_role(users[name], role)
    contact_list = ContactList.objects.create(campaign=w.lead.campaign, name="March")
    ids = {
        "campaigns": w.lead.campaign_id, "leads": w.lead.pk, "attempts": w.attempt.pk,
        "dnc": DoNotCall.objects.create(phone="+919800000099").pk,
        "imports": ImportBatch.objects.create(campaign=w.lead.campaign, contact_list=contact_list,
                                              filename="a.csv").pk,
        "calls": ConsoleCall.objects.create(agent=w.agent, sip_call_id="s@b", call_id=w.attempt.call_id,
                                            offered_at=timezone.now()).pk,
        # Looked up by name (or DID), not by id.
        "queues": w.queue.name, "agents": w.agent.name,
        "skills": Skill.objects.get_or_create(name="billing")[0].name,
        "trunks": Trunk.objects.get_or_create(name="trunk", defaults={"host": "127.0.0.1"})[0].name,
        "business-hours": BusinessHours.objects.create(name="office").name,
        "inbound-routes": InboundRoute.objects.create(did="+918000100100", target="queue", queue=w.queue).did,
    }  # fmt: skip
    return users, ids


def _model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:  # admin/password_change/done/ names no model
        return None


def concrete(route: str, ids: dict[str, int | str]) -> str:
    """The route with real ids in it (for the admin, the first object of its model, if any)."""
    kind = next((k for k in ids if f"{k}/" in route), "campaigns")
    object_id = "1"
    if (admin_model := re.match(r"admin/(\w+)/(\w+)/", route)) and (model := _model(*admin_model.groups())):
        object_id = str(model.objects.values_list("pk", flat=True).first() or 1)
    values = {"pk": str(ids[kind]), "object_id": object_id, "id": object_id, "url": "no-such-page/",
              "name": "console.js", "app_label": "campaigns", "call_id": "not-a-call-id",
              "content_type_id": str(ContentType.objects.get_for_model(Campaign).pk)}  # fmt: skip
    if "(?P<name>" in route or "(?P<did>" in route:  # the API's configuration, looked up by name or DID
        values["name"] = values["did"] = str(ids[kind])
    url = re.sub(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1) or m.group(2)], route)
    url = url.replace("/?", "/").replace("^", "").replace("$", "")
    return "/" + url


def outcome(response) -> str:
    if response.status_code in (401, 403):
        return NO
    if response.status_code == 302:
        where = urlsplit(response["Location"])
        if where.path in ("/login/", "/admin/login/", "/console/login/") and "next" in parse_qs(where.query):
            return LOGIN
    return IN


@pytest.fixture(autouse=True)
def quick_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # hundreds of users


@pytest.fixture(autouse=True)
def no_commands_leave(settings) -> None:
    """A door that lets a supervisor through may send pbx a command: to no Redis from here (nothing
    listens on port 1), never to a stack running beside the tests."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"


@pytest.mark.parametrize("route", ROUTES)
def test_the_door_answers_each_role_as_the_table_says(route: str, ledger_tables, db) -> None:
    users, ids = make_people_and_things()
    rows = rows_for(route)
    assert rows, f"no row for {route}"
    url = concrete(route, ids)
    assert resolve(urlsplit(url).path).route == re.sub(r"(^|/)\^", r"\1", route), f"{url} is not {route}"
    # The admin's views take any other method as a GET; its one door (has_permission) is before all.
    methods = ("GET", "POST") if route.startswith("admin/") else PROBED
    expected = {m: who for m, who in rows.items() if m != "*"}
    expected |= {m: rows["*"] for m in methods if "*" in rows}
    got: dict[str, tuple[str, ...]] = {}
    unlisted_answers: list[str] = []
    for method in methods:
        for who, user in users.items():
            client = Client()
            if user is not None:
                client.force_login(user)
            response = client.generic(method, url, "{}", content_type="application/json")
            if method in expected:
                got.setdefault(method, ())
                got[method] += (outcome(response),)
            elif outcome(response) == IN and response.status_code != 405:
                unlisted_answers.append(f"{method} as {who}: {response.status_code}")
    assert got == expected, f"{url}: (anonymous, agent, supervisor, admin)"
    assert not unlisted_answers, f"{url} answers methods it has no row for: {unlisted_answers}"


def _socket(route: str, session: str | None) -> WebsocketCommunicator:
    from contactcenter.asgi import application

    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    return WebsocketCommunicator(application, "/" + route, headers=headers)


@pytest.mark.parametrize("route", SOCKETS)
@pytest.mark.django_db(transaction=True)
async def test_each_websocket_lets_in_whom_the_table_says(route: str, settings) -> None:
    from asgiref.sync import sync_to_async

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.WALLBOARD_EMBEDDED_FEEDER = False
    settings.WALLBOARD_REDIS_URL = "redis://127.0.0.1:1/0"  # no feeder: the board comes from the database

    def sessions() -> dict[str, str | None]:
        users, _ = make_people_and_things()
        cookies: dict[str, str | None] = {}
        for who, user in users.items():
            client = Client()
            if user is not None:
                client.force_login(user)
            cookies[who] = client.cookies["sessionid"].value if user is not None else None
        return cookies

    got = []
    for session in (await sync_to_async(sessions)()).values():
        communicator = _socket(route, session)
        connected, _ = await communicator.connect()
        got.append(IN if connected else NO)
        await communicator.disconnect()
    assert tuple(got) == TABLE[("WS", route)], f"{route}: (anonymous, agent, supervisor, admin)"


@pytest.mark.django_db
def test_an_agents_token_is_refused_configuration_writes_dnc_deletes_and_lead_exports() -> None:
    from django.core.management import call_command

    users, ids = make_people_and_things()

    def token_client(who: str) -> Client:
        out = io.StringIO()
        call_command("api_token", users[who].username, stdout=out)
        return Client(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")  # no session: the token alone

    campaign = f"/api/campaigns/{ids['campaigns']}/"
    asks = [("post", "/api/campaigns/", {"name": "mine"}), ("patch", campaign, {"name": "renamed"}),
            ("delete", campaign, None), ("post", "/api/dnc/", {"phone": "+919800000055"}),
            ("delete", f"/api/dnc/{ids['dnc']}/", None), ("get", f"{campaign}export.csv", None),
            ("get", f"{campaign}results/", None), ("get", "/api/leads/", None),
            ("get", f"/api/leads/{ids['leads']}/", None),
            ("get", f"/api/imports/{ids['imports']}/errors.csv", None)]
    agent = token_client("agent")
    for method, url, body in asks:
        response = agent.generic(method.upper(), url, json.dumps(body or {}), content_type="application/json")
        assert response.status_code == 403, (method, url, response.status_code)
    assert DoNotCall.objects.filter(pk=ids["dnc"]).exists()

    supervisor = token_client("supervisor")
    assert supervisor.get(f"{campaign}export.csv").status_code == 200
    assert supervisor.post(f"{campaign}start/").status_code == 200  # the floor runs campaigns
    assert supervisor.post(f"{campaign}pause/").status_code == 200
    assert supervisor.patch(campaign, {"name": "renamed"}, content_type="application/json").status_code == 403
    assert supervisor.delete(f"/api/dnc/{ids['dnc']}/").status_code == 403

    admin = token_client("admin")
    assert admin.patch(campaign, {"name": "renamed"}, content_type="application/json").status_code == 200
    assert admin.delete(f"/api/dnc/{ids['dnc']}/").status_code == 204
    assert not DoNotCall.objects.filter(pk=ids["dnc"]).exists()
    assert Client(HTTP_AUTHORIZATION="Token not-a-token").get("/api/leads/").status_code in (401, 403)
