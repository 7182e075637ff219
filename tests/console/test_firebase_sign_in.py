"""Production sign-in in Chromium: the bundled Firebase JS SDK signs in, the page posts the ID
token, the server verifies it as the API does. Google's Identity Toolkit is the one far edge
answered in the browser, with an ID token signed by the test certificate server's key."""

from __future__ import annotations

import json

from playwright.async_api import Browser, Route, expect

from backend.firebase.devkeys import SigningKey
from backend.users.models import User
from tests.conftest import PROJECT_ID
from tests.console.conftest import FIREBASE_API_KEY, TABLET, make_team, screenshot

_CORS = {
    "access-control-allow-origin": "*",
    "access-control-allow-headers": "*",
    "access-control-allow-methods": "POST, OPTIONS",
}


def _identity_toolkit(key: SigningKey, user: User, calls: list[str]):
    """Answers the two calls email-and-password sign-in makes, as Google would."""
    token = key.mint(uid=user.id, project_id=PROJECT_ID, email=user.email, email_verified=True)

    async def answer(route: Route) -> None:
        request = route.request
        if request.method == "OPTIONS":
            await route.fulfill(status=204, headers=_CORS)
            return
        calls.append(request.url.split("?")[0].rsplit("/", 1)[-1])
        assert f"key={FIREBASE_API_KEY}" in request.url
        if "signInWithPassword" in request.url:
            body = {
                "localId": user.id,
                "email": user.email,
                "idToken": token,
                "refreshToken": "refresh",
                "expiresIn": "3600",
                "registered": True,
            }
        else:
            body = {"users": [{"localId": user.id, "email": user.email, "emailVerified": True}]}
        await route.fulfill(
            status=200, headers=_CORS, content_type="application/json", body=json.dumps(body)
        )

    return answer


async def test_the_firebase_sdk_signs_a_supervisor_in(
    app, browser: Browser, firebase_console_url: str, signing_key: SigningKey
):
    team = await make_team()
    context = await browser.new_context(base_url=firebase_console_url, viewport=TABLET)
    page = await context.new_page()
    calls: list[str] = []
    await context.route(
        "https://identitytoolkit.googleapis.com/**",
        _identity_toolkit(signing_key, team.supervisor, calls),
    )
    try:
        response = await page.goto("/console/sign-in")
        assert response
        assert (
            "https://identitytoolkit.googleapis.com" in response.headers["content-security-policy"]
        )
        await expect(page.get_by_label("Password")).to_be_visible()
        await expect(page.get_by_text("Development sign-in")).to_have_count(0)
        await screenshot(page, "sign-in-production")
        await page.get_by_label("Email").fill(team.supervisor.email)
        await page.get_by_label("Password").fill("correct horse battery staple")
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url("**/console/cases")
        await expect(page.get_by_text(team.supervisor.display_name)).to_be_visible()
        assert "accounts:signInWithPassword" in calls
    finally:
        await context.close()
