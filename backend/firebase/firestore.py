"""Firestore client: the emulator in development and tests, a project in production."""

from __future__ import annotations

from google.auth.credentials import AnonymousCredentials
from google.cloud.firestore import AsyncClient
from google.oauth2 import service_account

from backend.core.settings import FirebaseSettings


def make_firestore(settings: FirebaseSettings) -> AsyncClient:
    if settings.firestore_emulator_host:
        return AsyncClient(project=settings.project_id, credentials=AnonymousCredentials())
    if settings.credentials_file:
        creds = service_account.Credentials.from_service_account_file(
            str(settings.credentials_file)
        )
        return AsyncClient(project=settings.project_id, credentials=creds)
    return AsyncClient(project=settings.project_id)


async def ping(client: AsyncClient) -> None:
    """A read that every Firestore, emulated or not, answers."""
    await client.collection("_health").document("ping").get()
