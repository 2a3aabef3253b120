"""The audit trail: scorecard configuration, role assignments and people's roles keep who, when and what."""

import pytest
from django.contrib.auth.models import Group, User

from accounts.models import ScorecardConfig
from accounts.tests.factories import UserFactory
from healthscore import audit, permissions
from healthscore.models import RoleChange
from healthscore.roles import user_roles_set
from notifications.models import NotifyRole, RoleAssignment

pytestmark = pytest.mark.django_db


def config_form(config, **changes):
    data = {f.name: getattr(config, f.name) for f in ScorecardConfig._meta.fields if f.editable and f.name != "id"}
    return {**{k: ("" if v is None else v) for k, v in data.items()}, **changes}


def trail(username):
    return list(
        RoleChange.objects.filter(username=username).order_by("pk").values_list("role", "action", "by_username", "via")
    )


# --- Scorecard configuration -------------------------------------------------------------------


def test_a_scorecard_change_in_admin_records_who_when_and_what(client, admin_user):
    client.force_login(admin_user)
    config = ScorecardConfig.objects.get(segment="commercial")
    url = f"/admin/accounts/scorecardconfig/{config.pk}/change/"
    values = config_form(config, weight_sentiment=70, weight_support=10)
    # Saving shows the what-if preview first; Apply saves.
    assert client.post(url, values).status_code == 200
    assert config.history.count() == 1
    response = client.post(url, {**values, "_whatif_apply": "1", "_whatif_base_version": 1})
    assert response.status_code == 302

    latest, previous = config.history.order_by("-history_id")[:2]
    assert (latest.history_type, latest.history_user) == ("~", admin_user)
    assert latest.history_date is not None
    delta = latest.diff_against(previous)
    assert {(c.field, c.old, c.new) for c in delta.changes} == {("weight_sentiment", 75, 70), ("weight_support", 5, 10)}

    # Visible in admin: the History page names the author and each changed value.
    page = client.get(f"{url.removesuffix('change/')}history/").content.decode()
    assert "admin-user" in page
    text = " ".join(page.replace("&nbsp;", " ").replace("&rarr;", "->").split())
    assert "<strong>Weight sentiment:</strong> 75 -> 70" in text
    assert "<strong>Weight support:</strong> 5 -> 10" in text


def test_a_refused_scorecard_change_records_nothing(client, admin_user):
    client.force_login(admin_user)
    config = ScorecardConfig.objects.get(segment="enterprise")
    versions = config.history.count()
    client.post(f"/admin/accounts/scorecardconfig/{config.pk}/change/", config_form(config, weight_sentiment=99))
    assert config.history.count() == versions


def test_existing_configurations_start_with_a_first_version():
    """The migration gives every row that existed before auditing its first version."""
    for config in ScorecardConfig.objects.all():
        first = config.history.earliest("history_id")
        assert first.history_type == "+"
        assert first.weight_sentiment == config.weight_sentiment


def test_a_change_in_a_service_is_attributed_to_the_acting_user(admin_user):
    config = ScorecardConfig.objects.get(segment="enterprise")
    with audit.acting_user(admin_user, via="import"):
        config.green_min_score = 80
        config.save()
    assert config.history.latest("history_id").history_user == admin_user


def test_a_change_without_a_person_is_attributed_to_nobody():
    config = ScorecardConfig.objects.get(segment="enterprise")
    config.green_min_score = 80
    config.save()
    assert config.history.latest("history_id").history_user is None


# --- Role assignments (who is notified) ----------------------------------------------------------


def test_role_assignments_added_and_removed_in_admin_keep_their_history(client, admin_user):
    client.force_login(admin_user)
    vp = UserFactory(username="vp")
    response = client.post(
        "/admin/notifications/roleassignment/add/",
        {"role": NotifyRole.VP_CUSTOMER_SUCCESS, "region": "", "user": vp.pk},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=vp)
    pk = assignment.pk
    response = client.post(f"/admin/notifications/roleassignment/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=pk).exists()

    versions = RoleAssignment.history.filter(id=pk).order_by("history_id")
    assert [(v.history_type, v.history_user, v.role, v.user_id) for v in versions] == [
        ("+", admin_user, NotifyRole.VP_CUSTOMER_SUCCESS, vp.pk),
        ("-", admin_user, NotifyRole.VP_CUSTOMER_SUCCESS, vp.pk),
    ]
    # The deleted assignment's trail is listed in admin.
    page = client.get("/admin/notifications/historicalroleassignment/").content.decode()
    assert page.count("admin-user") >= 2


def test_the_audit_lists_are_read_only_in_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/notifications/historicalroleassignment/add/").status_code == 403
    assert client.get("/admin/healthscore/rolechange/add/").status_code == 403
    change = RoleChange.objects.create(username="x", role="TAM", action="added", via="system")
    assert client.post(f"/admin/healthscore/rolechange/{change.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RoleChange.objects.filter(pk=change.pk).exists()


# --- People's roles (group membership and access flags) ---------------------------------------


def test_roles_given_and_taken_in_the_user_admin_are_recorded_with_the_admin(client, admin_user):
    client.force_login(admin_user)
    person = UserFactory(username="person")
    tam, manager = Group.objects.get(name=permissions.TAM), Group.objects.get(name=permissions.MANAGER)
    person.groups.add(tam)
    RoleChange.objects.all().delete()

    form = client.get(f"/admin/auth/user/{person.pk}/change/").context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(
        groups=[manager.pk],
        user_permissions=[],
        is_active="on",
        is_staff="on",
        date_joined_0=person.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=person.date_joined.strftime("%H:%M:%S"),
    )
    data.pop("is_superuser", None)
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(f"/admin/auth/user/{person.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert sorted(trail("person")) == sorted(
        [
            ("TAM", "removed", "admin-user", "admin"),
            ("Manager", "added", "admin-user", "admin"),
            ("staff", "added", "admin-user", "admin"),
        ]
    )
    page = client.get("/admin/healthscore/rolechange/").content.decode()
    assert "person" in page and "Manager" in page


def test_the_role_service_records_the_acting_user(admin_user):
    person = UserFactory(username="person")
    added, removed = user_roles_set(user=person, roles={permissions.TAM, permissions.MANAGER}, by=admin_user)
    assert (added, removed) == ({"TAM", "Manager"}, set())
    user_roles_set(user=person, roles={permissions.ADMIN}, by=admin_user)
    person.refresh_from_db()
    assert (person.is_superuser, person.is_staff) == (True, True)
    assert permissions.roles_of(person) == {permissions.ADMIN}

    assert trail("person") == [
        ("Manager", "added", "admin-user", "system"),
        ("TAM", "added", "admin-user", "system"),
        ("Manager", "removed", "admin-user", "system"),
        ("TAM", "removed", "admin-user", "system"),
        ("Admin", "added", "admin-user", "system"),
        ("superuser", "added", "admin-user", "system"),
        ("staff", "added", "admin-user", "system"),
    ]


def test_the_role_service_without_a_person_records_how(admin_user):
    person = UserFactory(username="person")
    user_roles_set(user=person, roles={permissions.TAM}, via="sso")
    user_roles_set(user=person, roles=set(), via="sso")
    assert trail("person") == [("TAM", "added", "", "sso"), ("TAM", "removed", "", "sso")]


def test_the_role_service_refuses_an_unknown_role_and_changes_nothing():
    person = UserFactory(username="person")
    with pytest.raises(ValueError, match="Unknown roles: Boss"):
        user_roles_set(user=person, roles={"Boss", permissions.TAM})
    assert not person.groups.exists()
    assert not RoleChange.objects.filter(username="person").exists()


def test_clearing_groups_from_either_side_records_each_removal():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    tam = Group.objects.get(name=permissions.TAM)
    tam.user_set.add(alice, bob)
    alice.groups.clear()
    tam.user_set.clear()
    assert trail("alice") == [("TAM", "added", "", "system"), ("TAM", "removed", "", "system")]
    assert trail("bob") == [("TAM", "added", "", "system"), ("TAM", "removed", "", "system")]


def test_a_sign_in_records_nothing(client):
    """The last_login update of every sign-in is no access change."""
    person = UserFactory(username="person")
    person.set_password("a long enough passphrase")
    person.save()
    RoleChange.objects.all().delete()
    response = client.post("/login/", {"username": "person", "password": "a long enough passphrase"})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    assert not RoleChange.objects.exists()


def test_the_trail_outlives_the_person():
    person = UserFactory(username="leaver", is_superuser=True)
    User.objects.filter(pk=person.pk).delete()
    assert trail("leaver") == [("superuser", "added", "", "system")]


@pytest.mark.django_db(transaction=True)
def test_the_migrations_carry_the_rows_that_existed_before_auditing():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [
        ("accounts", "0009_text_fields_bounded"),
        ("notifications", "0004_email_preference"),
        ("healthscore", "0001_daily_run"),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        person = old.get_model("auth", "User").objects.create(username="old-vp", is_superuser=True)
        person.groups.add(old.get_model("auth", "Group").objects.get_or_create(name="Manager")[0])
        old.get_model("notifications", "RoleAssignment").objects.create(
            role="vp_customer_success", region="", user=person
        )

        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

        assignment = RoleAssignment.objects.get(user_id=person.pk)
        first = assignment.history.get()
        assert (first.history_type, first.role, first.history_change_reason) == (
            "+",
            "vp_customer_success",
            "Existing when auditing began",
        )
        assert ScorecardConfig.history.filter(history_type="+").count() == ScorecardConfig.objects.count()
        assert sorted(trail("old-vp")) == [("Manager", "added", "", "existing"), ("superuser", "added", "", "existing")]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.parametrize(
    "url",
    ["/admin/notifications/historicalroleassignment/", "/admin/healthscore/rolechange/"],
    ids=["versions", "roles"],
)
def test_the_audit_lists_read_a_fixed_number_of_queries(client, admin_user, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(admin_user)

    def make(count):
        for _ in range(count):
            user = UserFactory()
            RoleAssignment.objects.create(role=NotifyRole.VP_CUSTOMER_SUCCESS, region="", user=user)
            user.groups.add(Group.objects.get(name=permissions.TAM))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    make(3)
    few = queries()
    make(30)
    assert queries() == few
