"""KeptQuery: the ORM's SQL written once, read again with each request's values, the same rows as the ORM's."""

import pytest
from django.contrib.auth import get_user_model

from frenchbot.core.queries import KeptQuery

pytestmark = pytest.mark.django_db


def test_the_same_rows_as_the_orm_with_the_sql_built_once():
    users = get_user_model()._default_manager
    ada = users.create_user(username="ada", email="ada@example.fr", first_name="Ada")
    alan = users.create_user(username="alan", email="alan@example.fr", is_active=False)
    built = []

    def active_user(manager, pk, below):
        built.append(pk)
        return manager.filter(pk=pk, pk__lt=below, is_active=True).order_by()[:1]

    query = KeptQuery(active_user, "pk", "below")
    found = query.first(users, pk=ada.pk, below=ada.pk + 1)
    assert found == ada and found.first_name == "Ada" and found.email == "ada@example.fr"
    assert found.date_joined == users.get(pk=ada.pk).date_joined  # columns converted as the ORM does
    assert query.first(users, pk=ada.pk, below=ada.pk) is None
    assert query.first(users, pk=alan.pk, below=alan.pk + 1) is None  # inactive
    assert query.first(users, pk=alan.pk + 1000, below=alan.pk + 2000) is None
    assert len(built) == 1  # built and compiled once, whatever the values


def test_each_kept_query_has_its_own_stand_ins_and_asks_for_every_value():
    first = KeptQuery(lambda manager, pk: manager.filter(pk=pk)[:1], "pk")
    second = KeptQuery(lambda manager, pk: manager.filter(pk=pk)[:1], "pk")
    users = get_user_model()._default_manager
    assert first.sql(users)[1] != second.sql(users)[1]
    with pytest.raises(TypeError):
        first.first(users)
    with pytest.raises(TypeError):
        first.first(users, pk=1, other=2)


def test_annotations_and_a_subset_of_columns_come_back_as_the_orm_gives_them():
    from django.db.models import Exists, OuterRef

    users = get_user_model()._default_manager
    ada = users.create_user(username="ada", email="ada@example.fr", first_name="Ada")
    grace = users.create_user(username="grace", email="grace@example.fr", first_name="Grace")

    def with_peer(manager, pk):
        peers = manager.model.objects.filter(first_name=OuterRef("first_name")).exclude(pk=OuterRef("pk"))
        return manager.filter(pk=pk).only("username", "date_joined").annotate(has_peer=Exists(peers))[:1]

    query = KeptQuery(with_peer, "pk")
    found = query.first(users, pk=ada.pk)
    assert (found.pk, found.username, bool(found.has_peer)) == (ada.pk, "ada", False)
    assert found.date_joined == users.get(pk=ada.pk).date_joined
    assert found.get_deferred_fields() >= {"email", "first_name"}
    assert found.email == "ada@example.fr"  # a deferred column is read when asked for, as with the ORM
    users.filter(pk=grace.pk).update(first_name="Ada")
    assert bool(query.first(users, pk=ada.pk).has_peer) is True
