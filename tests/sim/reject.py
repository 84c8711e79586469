"""fluxd's rejection codes and the error the simulator raises with them."""

from __future__ import annotations

RPC_TRANSACTION_ERROR = -25
RPC_TRANSACTION_REJECTED = -26
RPC_TRANSACTION_ALREADY_IN_CHAIN = -27
RPC_DESERIALIZATION_ERROR = -22
REJECT_INVALID = 16
REJECT_DUPLICATE = 18
REJECT_NONSTANDARD = 64
REJECT_INSUFFICIENTFEE = 66


class SimReject(Exception):
    """fluxd refused a transaction: ``code`` is the RPC error code, ``message`` its text.

    ``reject_code``/``reason`` are set for "-26 <reject code>: <reason>" rejections.
    """

    def __init__(self, code: int, message: str, *, reject_code: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reject_code = reject_code
        self.reason = message.split(": ", 1)[1] if reject_code is not None else message


def invalid(reject_code: int, reason: str) -> SimReject:
    return SimReject(RPC_TRANSACTION_REJECTED, f"{reject_code}: {reason}", reject_code=reject_code)
