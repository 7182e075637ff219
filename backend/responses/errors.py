from backend.core.errors import NotAuthenticated, NotFound


class SignatureInvalid(NotAuthenticated):
    """The webhook's X-DebtX-Signature is missing or is not the HMAC of the body."""

    code = "responses.signature_invalid"
    title = "Webhook signature invalid"


class ResponseNotFound(NotFound):
    """No such customer response."""

    code = "responses.not_found"
    title = "Response not found"
