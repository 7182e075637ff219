"""Every label exists in English, Sinhala and Tamil, and every template's label is one."""

from __future__ import annotations

import re

import pytest

from backend.allocation.models import ChoiceStrategy
from backend.cases.models import Action, Outcome, PartStatus
from backend.cases.phases import Phase
from backend.cases.schemas import CaseSort
from backend.commission.models import RecoveryType
from backend.console import timeline
from backend.console.i18n import CATALOGUES, Language, translator
from backend.console.nav import CONSOLE_ROLES, NAV, home_for, nav_for
from backend.console.templates import HERE
from backend.cpe.models import ItemStatus
from backend.customers.models import Language as CustomerLanguage
from backend.disputes.models import DisputeKind, DisputeOutcome, DisputeStatus
from backend.drcs.models import AssignmentPreference
from backend.intake.models import BatchStatus, IncidentSource
from backend.mediation.models import HearingOutcome, RecommendationKind
from backend.notifications.models import TemplateKey
from backend.notifications.schemas import CustomerChannel
from backend.receipts.models import FlagKind, MatchKind, Provider, ReceiptStatus, Source
from backend.reconciliation.models import SECTIONS, Kind
from backend.requests.models import RequestStatus, RequestType
from backend.users.models import Role
from sync.models import InboxKind, InboxStatus

_LABEL = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""")


def test_every_language_has_every_label():
    english = set(CATALOGUES[Language.ENGLISH])
    for language, catalogue in CATALOGUES.items():
        assert set(catalogue) == english, f"{language}: {set(catalogue) ^ english}"
        assert all(text.strip() for text in catalogue.values())


def test_every_label_a_template_names_is_in_the_catalogue():
    named = {
        key
        for path in (HERE / "templates").rglob("*.html")
        for key in _LABEL.findall(path.read_text())
    }
    assert len(named) > 40
    assert named <= set(CATALOGUES[Language.ENGLISH]), named - set(CATALOGUES[Language.ENGLISH])


@pytest.mark.parametrize(
    ("prefix", "values"),
    [
        ("phase", Phase),
        ("role", Role),
        ("sort", CaseSort),
        ("action", Action),
        ("part", PartStatus),
        ("outcome", Outcome),
        ("nav", [item.key for item in NAV]),
        ("kind", timeline.KINDS),
        ("upload_source", IncidentSource),
        ("upload_status", BatchStatus),
        ("upload_outcome", ["refused", "duplicate"]),
        ("recovery", RecoveryType),
        ("request_type", RequestType),
        ("request_status", RequestStatus),
        ("cpe_status", ItemStatus),
        ("recommendation", RecommendationKind),
        ("hearing", HearingOutcome),
        ("inbox_kind", InboxKind),
        ("inbox_state", InboxStatus),
        ("strategy", ChoiceStrategy),
        ("preference", AssignmentPreference),
        ("template", TemplateKey),
        ("channel", CustomerChannel),
        ("language", CustomerLanguage),
        ("dispute_kind", DisputeKind),
        ("dispute_status", DisputeStatus),
        ("dispute_outcome", DisputeOutcome),
        ("provider", Provider),
        ("receipt_status", ReceiptStatus),
        ("receipt_match", MatchKind),
        ("receipt_flag", FlagKind),
        ("receipt_source", Source),
        ("receipt_view", ["suspense", "flagged"]),
        ("receipt_settled", ["booked", "refunded"]),
        ("recon_kind", Kind),
        ("recon_section", SECTIONS),
    ],
)
def test_labels_built_from_values_exist(prefix, values):
    t = translator(Language.TAMIL)
    for value in values:
        assert t(f"{prefix}.{getattr(value, 'value', value)}")


def test_navigation_follows_the_role():
    operator = [
        "cases",
        "dashboard",
        "inbox",
        "requests",
        "cpe",
        "legal",
        "uploads",
        "commission",
        "reports",
        "allocation",
        "templates",
        "segments",
        "strategies",
        "worklist",
        "disputes",
        "receipts",
        "reconciliation",
    ]
    pages = {
        Role.OPERATOR_ADMIN: [*operator, "users", "drcs"],
        Role.OPERATOR_OFFICER: operator,
        Role.DRC_SUPERVISOR: [
            "cases",
            "dashboard",
            "inbox",
            "requests",
            "commission",
            "reports",
            "disputes",
        ],
    }
    for role in CONSOLE_ROLES:
        assert home_for(role) == "/console/cases"
        assert [item.key for item in nav_for(role)] == pages[role]
    assert nav_for(Role.RECOVERY_OFFICER) == []
