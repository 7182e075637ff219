"""The README documents every setting DebtX reads."""

from __future__ import annotations

from pydantic import BaseModel

from backend.core.settings import Settings
from tests.harness import ROOT


def _names(model: type[BaseModel], prefix: str = "DEBTX_") -> list[str]:
    names = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += _names(annotation, f"{prefix}{name.upper()}__")
        else:
            names.append(f"{prefix}{name.upper()}")
    return names


def test_every_setting_is_documented():
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in _names(Settings) if f"`{name}`" not in readme]
    assert not missing, f"README.md does not document: {', '.join(missing)}"


def test_readme_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
