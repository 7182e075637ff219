from backend.core.errors import Conflict, ValidationFailed


class RatesInvalid(ValidationFailed):
    """The rules must give every payment recovery type age bands from day 0, contiguous,
    without overlaps and open-ended at the top; CPE earns the flat fee, not a rate."""

    code = "commission.rates_invalid"
    title = "Rate table not acceptable"


class RatesChanged(Conflict):
    """Another rate table version was created at the same moment; retry."""

    code = "commission.rates_changed"
    title = "Rate tables changed concurrently"


class DrcRequired(ValidationFailed):
    """Operator staff name the DRC whose statement they want."""

    code = "commission.drc_required"
    title = "drc_id is required"
