"""The idempotency mechanism itself: one claim per (user, key), held by the create's
transaction, released by its rollback; simultaneous requests make one record."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from anjian.core.idempotency import Replay, run_once
from anjian.core.models import IdempotencyKey
from anjian.hazards import services
from anjian.hazards.models import Hazard
from tests.hazards.conftest import hazard_data


def _register(world, key, **data):
    return services.hazard_register(
        actor=world.township,
        enterprise=world.building_co.enterprise,
        data=hazard_data(**data),
        idempotency_key=key,
    )


@pytest.mark.django_db
def test_a_repeated_key_returns_the_first_record(world):
    first = _register(world, "abc")
    again = _register(world, "abc", place="别处")
    assert again.pk == first.pk and Hazard.objects.count() == 1
    claim = IdempotencyKey.objects.get()
    assert (claim.user, claim.key, claim.object_id) == (world.township, "abc", str(first.pk))


@pytest.mark.django_db
def test_without_a_key_every_call_creates(world):
    _register(world, None)
    _register(world, "")
    assert Hazard.objects.count() == 2 and not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_a_refused_create_frees_its_key(world):
    with pytest.raises(ValidationError):
        _register(world, "k", place="")
    assert not Hazard.objects.exists() and not IdempotencyKey.objects.exists()
    assert _register(world, "k").pk


@pytest.mark.django_db
def test_keys_are_per_user(world):
    _register(world, "k")
    services.hazard_register(
        actor=world.bureau,
        enterprise=world.building_co.enterprise,
        data=hazard_data(),
        idempotency_key="k",
    )
    assert Hazard.objects.count() == 2


@pytest.mark.django_db
def test_malformed_keys_are_refused(world):
    for bad in ("x" * 101, "钥匙", "a\nb"):
        with pytest.raises(ValidationError):
            _register(world, bad)
    assert not Hazard.objects.exists()


@pytest.mark.django_db
def test_a_nested_create_with_the_same_key_is_not_claimed_twice(world):
    result, created = run_once(world.township, "outer", lambda: _register(world, "outer"))
    assert created and Hazard.objects.count() == 1
    replay, created = run_once(world.township, "outer", lambda: _register(world, "outer"))
    assert not created and isinstance(replay, Replay) and replay.record.pk == result.pk


def _race(world, attempts, target):
    barrier = threading.Barrier(len(attempts))
    results, errors = [], []

    def run(key):
        try:
            barrier.wait()
            results.append(target(key))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(k,)) for k in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
def test_simultaneous_requests_with_one_key_create_one_record(world):
    for round_ in range(5):
        key = f"race-{round_}"
        results = _race(world, [key] * 4, lambda k: _register(world, k).pk)
        assert len(set(results)) == 1
    assert Hazard.objects.count() == 5
    # different keys at the same moment are different records
    results = _race(world, ["a", "b", "c"], lambda k: _register(world, k).pk)
    assert len(set(results)) == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
def test_simultaneous_form_posts_create_one_hazard(world):
    from django.test import Client

    from tests.factories import PASSWORD

    url = f"/hazards/new/{world.building_co.pk}/"
    data = {
        "place": "脚手架",
        "domain": "construction",
        "factor_class": "物的因素",
        "level": "general",
        "source": "township",
        "deadline": "2030-01-01T12:00",
        "description": "连墙件缺失",
        "found_at": "2026-11-20T09:30",
        "idempotency_key": "double-click",
    }
    clients = [Client(), Client()]
    for c in clients:
        assert c.login(username=world.township.username, password=PASSWORD)
    statuses = _race(world, [0, 1], lambda i: clients[i].post(url, data)["Location"])
    assert Hazard.objects.count() == 1
    assert set(statuses) == {f"/hazards/{Hazard.objects.get().pk}/"}


@pytest.mark.django_db
def test_old_keys_are_purged(world):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    _register(world, "old")
    _register(world, "new")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(days=31))
    call_command("idempotency_keys")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    assert Hazard.objects.count() == 2


def test_every_api_replay_names_the_kind_of_record_it_returns():
    # A key spent on one kind of record and sent again to another create answered with
    # the first record as if it were the second kind: every API call names its model.
    import ast
    from pathlib import Path

    import anjian

    missing = []
    for path in Path(anjian.__file__).parent.rglob("*.py"):
        if path.name == "idempotency.py" or path.parts[-2:] == ("core", "forms.py"):
            continue  # the mechanism itself; the form path redirects to the user's own record
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "run_once"
                and not any(k.arg == "model" for k in node.keywords)
            ):
                missing.append(f"{path.name}:{node.lineno}")
    assert not missing
