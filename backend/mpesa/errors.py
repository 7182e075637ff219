from backend.core.errors import (
    DomainError,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)


class StkRequestNotFound(NotFound):
    """No STK push request with this id, or none the caller may see."""

    code = "mpesa.stk_request_not_found"
    title = "STK push request not found"


class PhoneInvalid(ValidationFailed):
    """The phone number is not a Kenyan mobile number M-PESA can prompt (+2547…, +2541…)."""

    code = "mpesa.phone_invalid"
    title = "Not an M-PESA phone number"


class AmountInvalid(ValidationFailed):
    """An STK push asks for whole shillings above zero, in the paybill's currency."""

    code = "mpesa.amount_invalid"
    title = "Amount not payable by M-PESA"


class TargetInvalid(ValidationFailed):
    """An STK push names exactly one of a case or an account."""

    code = "mpesa.target_invalid"
    title = "Name a case or an account"


class AccountOutOfReach(Forbidden):
    """Only operator staff prompt a payment on an account without naming its case."""

    code = "mpesa.account_out_of_reach"
    title = "Name the case to prompt a payment"


class DarajaUnavailable(ServiceUnavailable):
    """M-PESA did not answer, or refused our credentials; the push can be sent again."""

    code = "mpesa.unavailable"
    title = "M-PESA is unavailable"
    retryable = True


class DarajaRefused(DomainError):
    """M-PESA refused the STK push (its own message is in `detail`); nothing was charged."""

    code = "mpesa.refused"
    status = 502
    title = "M-PESA refused the request"


class CallbackRefused(DomainError):
    """The callback URL's token is missing or wrong: not sent by Daraja for DebtX."""

    code = "mpesa.callback_refused"
    status = 401
    title = "Callback not accepted"
