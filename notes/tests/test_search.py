"""Notes search: full-text on PostgreSQL, a word-by-word fallback on SQLite; only readable accounts."""

import pytest
from django.db import connection

from accounts.tests.factories import AccountFactory, UserFactory
from notes import selectors
from notes.tests.factories import NoteEntryFactory

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
sqlite_only = pytest.mark.skipif(connection.vendor == "postgresql", reason="the fallback is for SQLite")


@pytest.fixture
def entries(tam, other_tam):
    own = AccountFactory(tam=tam, name="Acme Corp")
    other = AccountFactory(tam=other_tam, name="Globex")
    return {
        "runners": NoteEntryFactory(account=own, architecture_changes="Moving the runners to Kubernetes"),
        "upgrade": NoteEntryFactory(account=own, product_feedback="", health_operational="They upgraded to 17.2"),
        "other": NoteEntryFactory(account=other, architecture_changes="Moving the runners to bare metal"),
    }


def found(user, term):
    return {entry.pk for entry in selectors.entries_search(user=user, term=term)}


def test_search_returns_only_entries_of_accounts_the_user_may_read(entries, tam, manager):
    assert found(tam, "runners") == {entries["runners"].pk}
    assert found(manager, "runners") == {entries["runners"].pk, entries["other"].pk}


def test_search_for_a_team_member_who_is_not_the_tam(entries, other_tam):
    sal = UserFactory(username="sal")
    account = entries["runners"].account
    account.sal = sal
    account.save()
    assert found(sal, "runners") == {entries["runners"].pk}


def test_search_also_matches_the_account_name_or_crm_id(entries, tam, manager):
    own = {entries["runners"].pk, entries["upgrade"].pk}
    assert found(tam, "acme") == own
    assert found(tam, entries["runners"].account.external_id) == own
    # Still only what the user may read: Globex's notes are not the TAM's.
    assert found(tam, "globex") == set()
    assert found(manager, "globex") == {entries["other"].pk}


def test_empty_term_finds_nothing(entries, manager):
    assert found(manager, "   ") == set()


def test_every_word_must_match(entries, manager):
    assert found(manager, "runners kubernetes") == {entries["runners"].pk}
    assert found(manager, "runners nowhere") == set()


@sqlite_only
def test_sqlite_fallback_matches_case_insensitive_substrings(entries, tam):
    assert found(tam, "KUBER") == {entries["runners"].pk}
    assert found(tam, "upgraded") == {entries["upgrade"].pk}


@postgres_only
def test_postgres_full_text_matches_word_forms_and_ranks(entries, tam):
    assert found(tam, "runner") == {entries["runners"].pk}  # stemming: runner ~ runners
    assert found(tam, "upgrade") == {entries["upgrade"].pk}  # upgrade ~ upgraded
    assert found(tam, "runners -kubernetes") == set()  # websearch syntax: exclusion
    assert found(tam, '"moving the runners"') == {entries["runners"].pk}  # a phrase
    results = list(selectors.entries_search(user=tam, term="runners"))
    assert results[0].rank > 0


@postgres_only
def test_postgres_search_can_use_the_gin_index(entries, manager):
    query = selectors.entries_search(user=manager, term="runners")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    assert "note_entry_search" in plan


def test_search_page_shows_excerpts_and_links_by_id(client, entries, tam):
    client.force_login(tam)
    html = client.post("/notes/search/", {"q": "kubernetes"}).content.decode()
    assert "1 entry found" in html
    assert f'href="/notes/entries/{entries["runners"].pk}/"' in html
    assert "Moving the runners to Kubernetes" in html
    assert "bare metal" not in html


def test_search_page_needs_a_role(client, entries):
    client.force_login(UserFactory(username="nobody"))
    assert client.post("/notes/search/", {"q": "runners"}).status_code == 403


def test_a_search_term_in_the_address_is_ignored(client, entries, tam):
    """Terms go by POST only, so none ends up in a URL, the history or an access log."""
    client.force_login(tam)
    html = client.get("/notes/search/?q=kubernetes").content.decode()
    assert "Moving the runners to Kubernetes" not in html and "entry found" not in html
    assert 'method="post" role="search"' in html
