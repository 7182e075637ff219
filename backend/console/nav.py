"""Navigation by role: which of the console's pages each kind of staff sees."""

from __future__ import annotations

from dataclasses import dataclass

from backend.users.models import OPERATOR_ROLES, Role

CONSOLE_ROLES = frozenset({Role.OPERATOR_ADMIN, Role.OPERATOR_OFFICER, Role.DRC_SUPERVISOR})
ADMIN_ROLES = frozenset({Role.OPERATOR_ADMIN})


@dataclass(frozen=True)
class NavItem:
    key: str  # its label is `nav.<key>`
    href: str
    roles: frozenset[Role]


# A new page adds one row here.
NAV: tuple[NavItem, ...] = (
    NavItem("cases", "/console/cases", CONSOLE_ROLES),
    NavItem("dashboard", "/console/dashboard", CONSOLE_ROLES),
    NavItem("inbox", "/console/inbox", CONSOLE_ROLES),
    NavItem("requests", "/console/requests", CONSOLE_ROLES),
    NavItem("cpe", "/console/cpe", OPERATOR_ROLES),
    NavItem("legal", "/console/legal", OPERATOR_ROLES),
    NavItem("uploads", "/console/uploads", OPERATOR_ROLES),
    NavItem("commission", "/console/commission", CONSOLE_ROLES),
    NavItem("reports", "/console/reports", CONSOLE_ROLES),
    NavItem("allocation", "/console/allocation", OPERATOR_ROLES),
    NavItem("templates", "/console/templates", OPERATOR_ROLES),
    NavItem("segments", "/console/segments", OPERATOR_ROLES),
    NavItem("strategies", "/console/strategies", OPERATOR_ROLES),
    NavItem("worklist", "/console/worklist", OPERATOR_ROLES),
    NavItem("disputes", "/console/disputes", CONSOLE_ROLES),
    NavItem("receipts", "/console/receipts", OPERATOR_ROLES),
    NavItem("reconciliation", "/console/reconciliation", OPERATOR_ROLES),
    NavItem("users", "/console/users", ADMIN_ROLES),
    NavItem("drcs", "/console/drcs", ADMIN_ROLES),
)


def nav_for(role: Role) -> list[NavItem]:
    return [item for item in NAV if role in item.roles]


def home_for(role: Role) -> str:
    """The page a role lands on after signing in."""
    return nav_for(role)[0].href
