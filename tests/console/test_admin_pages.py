"""The operator's settings pages over HTTP: allocation rules, message templates, users and
DRCs. Every write goes through the service the API uses; a refused form shows the
problem beside its field and stores nothing; the pages keep to their roles."""

from __future__ import annotations

import html
import re

import pytest

from backend.allocation import rules
from backend.allocation.models import AllocationRule
from backend.allocation.schemas import RuleCreate
from backend.drcs import service as drcs
from backend.notifications import contact
from backend.users import service as users
from backend.users.models import Role, User
from tests.console.conftest import csrf_of, form, sign_in
from tests.factories import make_drc, make_user


def problem_beside(page: str, field: str) -> str:
    """The reason shown right below the field (empty when it has none)."""
    found = re.search(rf'<p id="f-{re.escape(field)}-problem" class="[^"]*">([^<]*)</p>', page)
    assert found, f"no problem slot for {field}"
    return html.unescape(found.group(1))


async def _as(client, signing_key, role: Role, **fields) -> User:
    user = await make_user(role, **fields)
    assert (await sign_in(client, signing_key, user)).status_code == 303
    return user


async def _post(client, path: str, **fields: str | list[str]):
    """Post a console form as the page would: its own CSRF token, multipart fields."""
    token = csrf_of((await client.get("/console/cases")).text)
    parts = [(name, (None, v)) for name, value in fields.items() for v in _many(value)]
    return await client.post(path, files=[("csrf_token", (None, token)), *parts])


def _many(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


async def _rules(admin: User) -> list[AllocationRule]:
    return await rules.list_rules(actor=admin, include_inactive=True)


# --------------------------------------------------------------------------- allocation


async def test_an_admin_creates_edits_disables_and_reorders_rules(app, client, signing_key):
    admin = await _as(client, signing_key, Role.OPERATOR_ADMIN)
    drc = await make_drc()
    created = await _post(
        client,
        "/console/allocation/new",
        name="Western, high arrears",
        priority="5",
        active="true",
        arrears_min="5000.50",
        regions="Western, Southern",
        actions=["arrears", "arrears_and_cpe"],
        drc_ids=[drc.id],
        validity_days="45",
        strategy="capacity",
    )
    assert created.status_code == 303 and created.headers["location"].endswith("rule_created")
    [rule] = await _rules(admin)
    assert rule.conditions.arrears_min and rule.conditions.arrears_min.amount == 500_050
    assert rule.conditions.regions == ["Western", "Southern"] and rule.drc_ids == [drc.id]
    listed = await client.get(created.headers["location"])
    assert "Western, high arrears" in listed.text and "Rule added." in listed.text

    edit = await client.get(f"/console/allocation/{rule.id}")
    assert 'value="5000.50"' in edit.text
    saved = await _post(
        client, f"/console/allocation/{rule.id}", name="Western only", priority="5",
        active="true", regions="Western", validity_days="30", strategy="performance",
    )  # fmt: skip
    assert saved.status_code == 303
    [rule] = await _rules(admin)
    assert (rule.name, rule.conditions.regions, rule.drc_ids) == ("Western only", ["Western"], None)
    assert rule.conditions.arrears_min is None and rule.validity_days == 30

    await _post(client, f"/console/allocation/{rule.id}/active", active="false")
    assert (await _rules(admin))[0].active is False
    await _post(client, f"/console/allocation/{rule.id}/active", active="true")
    assert (await _rules(admin))[0].active is True

    other = await rules.create_rule(actor=admin, data=RuleCreate(name="Later", priority=50))
    moved = await _post(client, f"/console/allocation/{other.id}/move", direction="up")
    assert moved.status_code == 303
    assert [r.name for r in await _rules(admin)] == ["Later", "Western only"]


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"arrears_min": "900", "arrears_max": "100"}, "arrears_max", "arrears_min is above"),
        ({"priority": "soon"}, "priority", "valid integer"),
        ({"arrears_min": "12.345"}, "arrears_min", "decimal places"),
        ({"min_age_days": "40", "max_age_days": "10"}, "max_age_days", "min_age_days is above"),
        ({"excluded_drc_ids": ["DRC-GHOST"]}, "excluded_drc_ids", "No DRC DRC-GHOST"),
        ({"validity_days": "0"}, "validity_days", "greater than or equal to 1"),
        ({"name": " padded"}, "name", "should match pattern"),
    ],
)
async def test_an_invalid_rule_shows_its_problem_and_saves_nothing(
    app, client, signing_key, fields, field, reason
):
    admin = await _as(client, signing_key, Role.OPERATOR_ADMIN)
    typed = {"name": "Rule", "strategy": "performance", **fields}
    refused = await _post(client, "/console/allocation/new", **typed)
    assert refused.status_code == 422
    assert reason in problem_beside(refused.text, field)
    assert await _rules(admin) == []


async def test_an_invalid_edit_leaves_the_rule_as_it_was(app, client, signing_key):
    admin = await _as(client, signing_key, Role.OPERATOR_ADMIN)
    rule = await rules.create_rule(actor=admin, data=RuleCreate(name="Kept", priority=7))
    refused = await _post(
        client, f"/console/allocation/{rule.id}", name="Changed", priority="7",
        min_age_days="9", max_age_days="1", strategy="performance",
    )  # fmt: skip
    assert refused.status_code == 422 and 'value="Changed"' in refused.text
    assert "min_age_days is above" in problem_beside(refused.text, "max_age_days")
    [kept] = await _rules(admin)
    assert (kept.name, kept.conditions.min_age_days) == ("Kept", None)


async def test_an_operator_officer_reads_the_rules_but_changes_none(app, client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    rule = await rules.create_rule(actor=admin, data=RuleCreate(name="Read only"))
    await _as(client, signing_key, Role.OPERATOR_OFFICER)
    listed = await client.get("/console/allocation")
    assert listed.status_code == 200 and "Read only" in listed.text
    assert "/console/allocation/new" not in listed.text and "Move up" not in listed.text
    assert (await client.get("/console/allocation/new")).status_code == 404
    refused = await _post(client, f"/console/allocation/{rule.id}/active", active="false")
    assert refused.status_code == 404
    assert (await _rules(admin))[0].active is True


# --------------------------------------------------------------------------- templates

TEMPLATE = "/console/templates/payment_reminder/email/si"


async def test_an_operator_rewords_previews_and_resets_a_template(app, client, signing_key):
    officer = await _as(client, signing_key, Role.OPERATOR_OFFICER)
    listed = await client.get("/console/templates")
    assert listed.status_code == 200 and listed.text.count("data-template=") == 18
    page = await client.get(TEMPLATE)
    assert "Nimal Perera" in page.text  # the current wording's preview
    preview = await _post(
        client, f"{TEMPLATE}/preview", subject="<b>{name}</b>", body="Pay {amount} <script>"
    )
    assert preview.status_code == 200
    assert "&lt;b&gt;Nimal Perera&lt;/b&gt;" in preview.text and "<script>" not in preview.text
    assert await _stored(officer) is None  # a preview stores nothing

    saved = await _post(client, TEMPLATE, subject="Reminder", body="{name}, pay {amount}")
    assert saved.status_code == 303 and saved.headers["location"].endswith("template_saved")
    stored = await _stored(officer)
    assert stored and (stored.subject, stored.body) == ("Reminder", "{name}, pay {amount}")
    reset = await _post(client, f"{TEMPLATE}/reset")
    assert reset.status_code == 303 and await _stored(officer) is None


async def _stored(actor: User):
    """The stored wording of TEMPLATE, None while the built-in one applies."""
    for shown in await contact.list_templates(actor=actor):
        if (shown.key, shown.channel, shown.language) == ("payment_reminder", "email", "si"):
            return None if shown.built_in else shown
    raise AssertionError("template missing")


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"subject": "Hi", "body": "Dear {first_name}"}, "body", "Unknown placeholder"),
        ({"subject": "Hi {name!r}", "body": "Dear {name}"}, "subject", "Unknown placeholder"),
        ({"subject": "Hi", "body": "Dear {name"}, "body", "cannot be read"),
        ({"body": "Dear {name}"}, "subject", "Email templates take a subject"),
        ({"subject": "Hi"}, "body", "Field required"),
    ],
)
async def test_a_bad_template_shows_its_problem_and_saves_nothing(
    app, client, signing_key, fields, field, reason
):
    officer = await _as(client, signing_key, Role.OPERATOR_OFFICER)
    for path in (TEMPLATE, f"{TEMPLATE}/preview"):
        refused = await _post(client, path, **fields)
        assert refused.status_code == 422
        assert reason in problem_beside(refused.text, field)
    assert await _stored(officer) is None


# --------------------------------------------------------------------------- users


async def test_an_admin_creates_a_user_changes_the_role_and_disables_them(app, client, signing_key):
    await _as(client, signing_key, Role.OPERATOR_ADMIN)
    drc = await make_drc()
    created = await _post(
        client, "/console/users/new", uid="new-ro-1", email="New.RO@Example.lk",
        display_name="Kamal Perera", role="recovery_officer", drc_id=drc.id,
    )  # fmt: skip
    assert created.status_code == 303, created.text
    person = await users.by_uid("new-ro-1")
    assert person and (person.email, person.drc_id) == ("new.ro@example.lk", drc.id)

    changed = await _post(
        client, "/console/users/new-ro-1/edit", display_name="Kamal Perera",
        role="drc_supervisor", phone="+94771234567",
    )  # fmt: skip
    assert changed.status_code == 303
    person = await users.by_uid("new-ro-1")
    assert person and (person.role, person.phone) == (Role.DRC_SUPERVISOR, "+94771234567")

    await _post(client, "/console/users/new-ro-1/active", active="false")
    person = await users.by_uid("new-ro-1")
    assert person and person.active is False
    listed = await client.get("/console/users", params={"drc": drc.id})
    assert 'data-uid="new-ro-1"' in listed.text and "Disabled" in listed.text


async def test_users_are_listed_by_role_and_drc(app, client, signing_key):
    await _as(client, signing_key, Role.OPERATOR_ADMIN)
    ours, theirs = await make_drc(), await make_drc()
    officer = await make_user(Role.RECOVERY_OFFICER, drc_id=ours.id)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=ours.id)
    elsewhere = await make_user(Role.RECOVERY_OFFICER, drc_id=theirs.id)
    by_drc = (await client.get("/console/users", params={"drc": ours.id})).text
    assert officer.id in by_drc and supervisor.id in by_drc and elsewhere.id not in by_drc
    params = {"drc": ours.id, "role": "recovery_officer"}
    both = (await client.get("/console/users", params=params)).text
    assert officer.id in both and supervisor.id not in both
    bad = await client.get("/console/users", params={"role": "chief"})
    assert bad.status_code == 422 and "Input should be" in problem_beside(bad.text, "role")


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"role": "recovery_officer"}, "drc_id", "needs drc_id"),
        ({"role": "operator_officer", "drc_id": "DRC-ANY"}, "drc_id", "takes no drc_id"),
        ({"role": "operator_officer", "email": "not-an-email"}, "email", "should match"),
        ({"role": "recovery_officer", "drc_id": "DRC-GONE"}, "drc_id", "does not exist"),
        ({"role": "operator_officer", "phone": "12"}, "phone", "should match"),
    ],
)
async def test_an_invalid_user_shows_its_problem_and_saves_nothing(
    app, client, signing_key, fields, field, reason
):
    await _as(client, signing_key, Role.OPERATOR_ADMIN)
    typed = {"uid": "someone", "email": "someone@example.lk", "display_name": "Some One", **fields}
    refused = await _post(client, "/console/users/new", **typed)
    assert refused.status_code == 422
    assert reason in problem_beside(refused.text, field)
    assert await users.by_uid("someone") is None


async def test_a_taken_email_and_a_role_across_sides_are_refused(app, client, signing_key):
    await _as(client, signing_key, Role.OPERATOR_ADMIN)
    taken = await make_user(Role.OPERATOR_OFFICER)
    again = await _post(
        client, "/console/users/new", uid="another", email=taken.email,
        display_name="Copy", role="operator_officer",
    )  # fmt: skip
    assert again.status_code == 409 and "already exists" in again.text
    assert await users.by_uid("another") is None
    across = await _post(
        client, f"/console/users/{taken.id}/edit", display_name="Moved", role="recovery_officer"
    )
    assert across.status_code == 422
    assert "cannot move" in problem_beside(across.text, "role")
    kept = await users.by_uid(taken.id)
    assert kept and (kept.role, kept.display_name) == (Role.OPERATOR_OFFICER, taken.display_name)


async def test_a_disabled_user_is_signed_out_at_the_next_request(app, client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    officer = await _as(client, signing_key, Role.OPERATOR_OFFICER)
    assert (await client.get("/console/templates")).status_code == 200
    from backend.users.schemas import UserUpdate

    await users.update_user(actor=admin, uid=officer.id, data=UserUpdate(active=False))
    assert (await client.get("/console/templates")).status_code == 403


# --------------------------------------------------------------------------- DRCs


async def test_an_admin_registers_and_disables_a_drc(app, client, signing_key):
    admin = await _as(client, signing_key, Role.OPERATOR_ADMIN)
    created = await _post(
        client, "/console/drcs/new", id="DRC-NEW", name="New Recovery Ltd",
        regions="Western, Central", capacity="250", performance_score="0.8",
        assignment_preference="round_robin", contact_email="ops@new.lk",
    )  # fmt: skip
    assert created.status_code == 303, created.text
    drc = await drcs.get_for(actor=admin, drc_id="DRC-NEW")
    assert (drc.regions, drc.capacity, drc.performance_score) == (["Western", "Central"], 250, 0.8)
    await _post(client, "/console/drcs/DRC-NEW/active", active="false")
    assert (await drcs.get_for(actor=admin, drc_id="DRC-NEW")).active is False
    listed = await client.get("/console/drcs")
    assert "New Recovery Ltd" in listed.text and "DRC disabled." not in listed.text


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"id": "drc new"}, "id", "should match pattern"),
        ({"capacity": "lots"}, "capacity", "valid integer"),
        ({"capacity": "-1"}, "capacity", "greater than or equal to 0"),
        ({"performance_score": "1.5"}, "performance_score", "less than or equal to 1"),
        ({"contact_email": "ops@"}, "contact_email", "should match"),
        ({"assignment_preference": "lottery"}, "assignment_preference", "Input should be"),
    ],
)
async def test_an_invalid_drc_shows_its_problem_and_saves_nothing(
    app, client, signing_key, fields, field, reason
):
    admin = await _as(client, signing_key, Role.OPERATOR_ADMIN)
    refused = await _post(client, "/console/drcs/new", **{"id": "DRC-X", "name": "X", **fields})
    assert refused.status_code == 422
    assert reason in problem_beside(refused.text, field)
    assert await drcs.list_for(actor=admin) == []


# --------------------------------------------------------------------------- reach, CSRF

ADMIN_PAGES = ("/console/users", "/console/users/new", "/console/drcs", "/console/drcs/new")


@pytest.mark.parametrize("role", [Role.DRC_SUPERVISOR, Role.OPERATOR_OFFICER])
async def test_admin_pages_are_not_found_for_other_staff(app, client, signing_key, role):
    await _as(client, signing_key, role)
    for path in ADMIN_PAGES:
        assert (await client.get(path)).status_code == 404, path
    refused = await _post(
        client, "/console/users/new", uid="sneaky", email="s@example.lk",
        display_name="Sneaky", role="operator_admin",
    )  # fmt: skip
    assert refused.status_code == 404 and await users.by_uid("sneaky") is None
    assert (await client.get("/console/users")).text.count("/console/drcs") == 0


async def test_operator_pages_are_not_found_for_a_supervisor(app, client, signing_key):
    await _as(client, signing_key, Role.DRC_SUPERVISOR)
    for path in ("/console/allocation", "/console/templates", f"{TEMPLATE}"):
        assert (await client.get(path)).status_code == 404, path
    nav = (await client.get("/console/cases")).text
    assert "/console/allocation" not in nav and "/console/templates" not in nav


async def test_a_cross_site_post_is_refused_and_stores_nothing(app, client, signing_key):
    await _as(client, signing_key, Role.OPERATOR_ADMIN)
    token = csrf_of((await client.get("/console/drcs/new")).text)
    fields = form(csrf_token=token, id="DRC-EVIL", name="Evil")
    cross = await client.post(
        "/console/drcs/new", files=fields, headers={"origin": "https://evil.example"}
    )
    assert cross.status_code == 403
    no_token = await client.post("/console/drcs/new", files=form(id="DRC-EVIL", name="Evil"))
    assert no_token.status_code == 403
    site = await client.post(
        "/console/drcs/new", files=fields, headers={"sec-fetch-site": "cross-site"}
    )
    assert site.status_code == 403
    assert (await client.get("/console/drcs")).text.count("DRC-EVIL") == 0
