from backend.core.errors import Conflict, Forbidden, NotFound, ValidationFailed


class NotificationNotFound(NotFound):
    """No such item in the caller's own notification feed."""

    code = "notification.not_found"
    title = "Notification not found"


class DeviceNotFound(NotFound):
    """The caller has no device registered under this id."""

    code = "notification.device_not_found"
    title = "Device not found"


class DeliveryNotFound(NotFound):
    """No such delivery, or not one the caller may see."""

    code = "notification.delivery_not_found"
    title = "Delivery not found"


class TimeZoneUnknown(ValidationFailed):
    """The time zone is not an IANA name this server knows (e.g. `Asia/Colombo`)."""

    code = "notification.time_zone_unknown"
    title = "Unknown time zone"


class QuietHoursEmpty(ValidationFailed):
    """Quiet hours must start and end at different times."""

    code = "notification.quiet_hours_empty"
    title = "Quiet hours start and end at the same time"


class TemplateInvalid(ValidationFailed):
    """The template has a placeholder other than {name}, {amount}, {due_date}, {reference}
    and {link}, or unbalanced braces."""

    code = "notification.template_invalid"
    title = "Invalid message template"


class SubjectRequired(ValidationFailed):
    """An email template needs a subject; an SMS template takes none."""

    code = "notification.subject_mismatch"
    title = "Subject required for email only"


class NoContact(Conflict):
    """The customer has no contact for the channel asked (no mobile number, no email)."""

    code = "notification.no_contact"
    title = "Customer has no contact for this channel"


class BroadcastForbidden(Forbidden):
    """Only operator staff, or a DRC's own supervisor, broadcast to a DRC."""

    code = "notification.broadcast_forbidden"
    title = "Not allowed to broadcast to this DRC"


class OptOutNotFound(NotFound):
    """The customer has not opted out of this channel."""

    code = "notification.opt_out_not_found"
    title = "No opt-out recorded"
