"""Offline sync for DebtX: the engine in sync/ with every domain's mutations plugged in."""
