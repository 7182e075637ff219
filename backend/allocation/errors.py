from backend.core.errors import Conflict, Forbidden, NotFound, ValidationFailed


class RuleNotFound(NotFound):
    """No allocation rule has this id."""

    code = "allocation.rule_not_found"
    title = "Allocation rule not found"


class RuleInvalid(ValidationFailed):
    """The rule's conditions contradict each other (a band or age range upside down,
    or band bounds in different currencies)."""

    code = "allocation.rule_invalid"
    title = "Allocation rule is inconsistent"


class UnknownDrc(ValidationFailed):
    """A rule names a DRC that is not registered."""

    code = "allocation.unknown_drc"
    title = "Rule names an unknown DRC"


class DrcRequired(ValidationFailed):
    """Operator staff must say which DRC's cases to distribute."""

    code = "allocation.drc_required"
    title = "drc_id is required"


class AssignmentForbidden(Forbidden):
    """Only operator staff, or the supervisor of the DRC holding the case, assign it."""

    code = "allocation.assignment_forbidden"
    title = "Not allowed to assign this case"


class OfficerUnavailable(ValidationFailed):
    """The officer named is not an active recovery officer of the DRC holding the case."""

    code = "allocation.officer_unavailable"
    title = "Officer unknown, inactive or of another DRC"


class NotAssignable(Conflict):
    """The case is not held by a DRC in a phase where officers are assigned."""

    code = "allocation.not_assignable"
    title = "Case cannot be assigned in its current phase"


class NotAssigned(Conflict):
    """The case has no officer to unassign."""

    code = "allocation.not_assigned"
    title = "Case is not assigned to an officer"
