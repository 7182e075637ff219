"""Every report, registered by importing the modules that define them."""

from __future__ import annotations

from backend.reports import book, collections, money, work
from backend.reports.registry import REPORTS, Report

__all__ = ["REPORTS", "Report", "book", "collections", "money", "work"]
