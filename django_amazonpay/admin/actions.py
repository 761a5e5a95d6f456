"""The buttons of the change pages: what each one offers, checks and calls.

An action is shown on a change page when the object's stored state allows it; it runs only
through its confirmation form (views.ObjectActionsMixin) and only calls the service layer,
with source "admin" (STYLE 11).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..client import interactive
from ..models import Authorization, Capture, OrderItem, OrderReference
from ..mws.errors import (
    AmazonPayError,
    MwsError,
)
from ..services.errors import NO_ANSWER
from ..states import AuthorizationState, CaptureState, OrderReferenceState
from . import permissions
from .display import format_money
from .forms import CaptureForm, ConfirmForm, ReasonForm, RefundForm

SOURCE = "admin"


@dataclass(frozen=True)
class Outcome:
    """One message to show after the action ran."""

    level: int
    text: str


def call_service(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a service for a person waiting on the page: source "admin", no long backoff."""
    with interactive():
        return function(*args, source=SOURCE, **kwargs)


#: codes the services give a call that got no usable answer (services.errors.no_answer,
#: services.attempts): Amazon said nothing, so "refused" would be wrong
_NO_ANSWER_CODES = frozenset({"NoAnswer", "NotSent"})


def _no_answer(error: object) -> bool:
    if isinstance(error, NO_ANSWER):
        return True
    return isinstance(error, MwsError) and error.code in _NO_ANSWER_CODES


def describe_busy_database() -> str:
    return gettext(
        "The database was busy with another request for this payment (a second click?), so "
        "this one stopped. Check the page: it shows what is recorded. Press the button again "
        "if it is still needed; “Refresh from Amazon” shows Amazon's state."
    )


def describe_error(error: AmazonPayError) -> str:
    """The message staff see when Amazon or the service refused, or Amazon did not answer."""
    amazon = getattr(error, "error", None) if isinstance(error, services.ServiceError) else error
    if _no_answer(amazon):
        return gettext(
            "Amazon Pay did not answer; nothing was changed here. Try again later (%(error)s)."
        ) % {"error": amazon}
    if isinstance(amazon, MwsError):
        return gettext("Amazon refused the request (%(code)s): %(message)s") % {
            "code": amazon.code or amazon.status or "-",
            "message": amazon.message,
        }
    if isinstance(error, services.ServiceError):
        return gettext("Nothing was done: %(reason)s") % {"reason": error}
    return gettext("Amazon Pay could not be reached; nothing was done (%(error)s).") % {
        "error": error
    }


class ObjectAction:
    """A button on a change page and its confirmation page."""

    #: URL segment after the object id; also the URL name's suffix
    name: str = ""
    label: str | Promise = ""
    #: codename in permissions.py
    permission: str = ""
    #: text under the title of the confirmation page
    explanation: str | Promise = ""
    submit_label: str | Promise = _("Yes, I'm sure")
    form_class: type[forms.Form] = ConfirmForm

    def is_available(self, obj: Model) -> bool:
        return True

    def get_form(self, obj: Model, data: Any = None) -> forms.Form:
        return self.form_class(data)

    def perform(self, obj: Model, form: forms.Form) -> list[Outcome]:
        raise NotImplementedError


def _authorizations(obj: Model) -> QuerySet[Authorization]:
    if isinstance(obj, Authorization):
        queryset = Authorization.objects.filter(pk=obj.pk)
    else:
        queryset = Authorization.objects.filter(order_reference=obj)
    return queryset.filter(state=AuthorizationState.OPEN).order_by("created_at", "id")


def _captures(obj: Model) -> QuerySet[Capture]:
    if isinstance(obj, Capture):
        queryset = Capture.objects.filter(pk=obj.pk)
    else:
        queryset = Capture.objects.filter(order_reference=obj)
    return queryset.filter(state=CaptureState.COMPLETED).order_by("created_at", "id")


_CAPTURE_OUTCOMES = {
    CaptureState.COMPLETED: "completed",
    CaptureState.PENDING: "pending",
    CaptureState.DECLINED: "declined",
}


class CaptureAction(ObjectAction):
    name = "capture"
    label = _("Capture")
    permission = permissions.CAPTURE
    explanation = _(
        "Capture the payment of an open authorization. One capture per authorization: "
        "what is left uncaptured is released."
    )
    submit_label = _("Capture")

    def is_available(self, obj: Model) -> bool:
        return _authorizations(obj).exists()

    def get_form(self, obj: Model, data: Any = None) -> forms.Form:
        return CaptureForm(data, authorizations=_authorizations(obj))

    def perform(self, obj: Model, form: forms.Form) -> list[Outcome]:
        auth = form.cleaned_data["authorization"]
        result = call_service(
            services.capture,
            auth,
            amount=form.cleaned_data["amount"],
            seller_note=form.cleaned_data["seller_note"],
        )
        cap = result.capture
        outcome = result.outcome
        if outcome == "in_doubt":
            # the service may have reconciled it since (it reads the authorization back)
            cap.refresh_from_db()
            if not cap.in_flight:
                outcome = _CAPTURE_OUTCOMES.get(cap.state, outcome)
        values = {
            "capture": cap,
            "amount": format_money(cap.amount, cap.currency),
            "reason": cap.reason_code or "-",
        }
        outcomes = []
        if result.reauthorized:
            outcomes.append(
                Outcome(
                    messages.WARNING,
                    gettext(
                        "The authorization was expired or past the 7-day honour period: a new "
                        "authorization was made and captured."
                    ),
                )
            )
        texts = {
            "completed": (messages.SUCCESS, gettext("Captured %(amount)s (%(capture)s).")),
            "pending": (
                messages.WARNING,
                gettext("Capture %(capture)s of %(amount)s is pending at Amazon."),
            ),
            "declined": (
                messages.ERROR,
                gettext("Amazon declined capture %(capture)s (%(reason)s)."),
            ),
            "in_doubt": (
                messages.WARNING,
                gettext(
                    "Amazon did not answer: capture %(capture)s is in doubt and is reconciled "
                    "on the next refresh."
                ),
            ),
        }
        level, text = texts.get(
            outcome,
            (messages.INFO, gettext("Capture %(capture)s is %(reason)s.")),
        )
        outcomes.append(Outcome(level, text % values))
        return outcomes


class RefundAction(ObjectAction):
    name = "refund"
    label = _("Refund")
    permission = permissions.REFUND
    explanation = _(
        "Refund part or all of a completed capture, by amount or by order items. Amazon "
        "completes refunds later; refresh to see the result."
    )
    submit_label = _("Refund")

    def is_available(self, obj: Model) -> bool:
        return _captures(obj).exists()

    def get_form(self, obj: Model, data: Any = None) -> forms.Form:
        oro_id = obj.pk if isinstance(obj, OrderReference) else obj.order_reference_id
        items = OrderItem.objects.filter(order_reference_id=oro_id).order_by("position", "id")
        return RefundForm(data, captures=_captures(obj), items=items)

    def perform(self, obj: Model, form: forms.Form) -> list[Outcome]:
        assert isinstance(form, RefundForm)
        cap = form.cleaned_data["capture"]
        chosen = form.chosen_items()
        kwargs: dict[str, Any] = {"seller_note": form.cleaned_data["seller_note"]}
        if chosen:
            kwargs["items"] = chosen
        else:
            kwargs["amount"] = form.cleaned_data["amount"]
        result = call_service(services.refund, cap, **kwargs)
        ref = result.refund
        values = {
            "refund": ref,
            "amount": format_money(ref.amount, ref.currency),
            "count": sum(quantity for _item, quantity in chosen),
            "reason": ref.reason_code or "-",
        }
        if result.outcome == "declined":
            return [
                Outcome(
                    messages.ERROR,
                    gettext("Amazon declined refund %(refund)s (%(reason)s).") % values,
                )
            ]
        if result.outcome == "in_doubt":
            return [
                Outcome(
                    messages.WARNING,
                    gettext(
                        "Amazon did not answer: refund %(refund)s is in doubt and is "
                        "reconciled on the next refresh."
                    )
                    % values,
                )
            ]
        if chosen:
            text = ngettext(
                "Refund %(refund)s of %(count)d item (%(amount)s) requested.",
                "Refund %(refund)s of %(count)d items (%(amount)s) requested.",
                values["count"],
            )
        else:
            text = gettext("Refund %(refund)s of %(amount)s requested.")
        return [Outcome(messages.SUCCESS, text % values)]


class _OrderReferenceStateAction(ObjectAction):
    form_class = ReasonForm
    target_state = ""
    done_text: str | Promise = ""

    def is_available(self, obj: Model) -> bool:
        return obj.state in (OrderReferenceState.OPEN, OrderReferenceState.SUSPENDED)

    def service(self) -> Callable[..., OrderReference]:
        raise NotImplementedError

    def perform(self, obj: Model, form: forms.Form) -> list[Outcome]:
        oro = call_service(self.service(), obj, reason=form.cleaned_data["reason"])
        values = {"object": oro, "state": oro.get_state_display()}
        if oro.state == self.target_state:
            return [Outcome(messages.SUCCESS, str(self.done_text) % values)]
        return [
            Outcome(
                messages.WARNING,
                gettext("%(object)s is still %(state)s; refresh later to see Amazon's answer.")
                % values,
            )
        ]


class CloseOrderAction(_OrderReferenceStateAction):
    name = "close"
    label = _("Close")
    permission = permissions.CLOSE_ORDER
    explanation = _(
        "Close the order reference: no new authorizations; open authorizations can still "
        "be captured and captures refunded."
    )
    submit_label = _("Close order reference")
    target_state = OrderReferenceState.CLOSED
    done_text = _("Order reference %(object)s closed.")

    def service(self) -> Callable[..., OrderReference]:
        return services.close_order


class CancelOrderAction(_OrderReferenceStateAction):
    name = "cancel"
    label = _("Cancel")
    permission = permissions.CANCEL_ORDER
    explanation = _(
        "Cancel the order reference and every open authorization. Only possible when "
        "nothing was captured."
    )
    submit_label = _("Cancel order reference")
    target_state = OrderReferenceState.CANCELED
    done_text = _("Order reference %(object)s canceled.")

    def is_available(self, obj: Model) -> bool:
        captured = (CaptureState.PENDING, CaptureState.COMPLETED, CaptureState.CLOSED)
        return super().is_available(obj) and not obj.captures.filter(state__in=captured).exists()

    def service(self) -> Callable[..., OrderReference]:
        return services.cancel_order


class CloseAuthorizationAction(ObjectAction):
    name = "close-authorization"
    label = _("Close authorization")
    permission = permissions.CLOSE_AUTHORIZATION
    explanation = _("Close the authorization and release the buyer's funds it holds.")
    submit_label = _("Close authorization")
    form_class = ReasonForm

    def is_available(self, obj: Model) -> bool:
        return obj.state in (AuthorizationState.PENDING, AuthorizationState.OPEN)

    def perform(self, obj: Model, form: forms.Form) -> list[Outcome]:
        auth = call_service(services.close_authorization, obj, reason=form.cleaned_data["reason"])
        values = {"object": auth, "state": auth.get_state_display()}
        if auth.state == AuthorizationState.CLOSED:
            return [Outcome(messages.SUCCESS, gettext("Authorization %(object)s closed.") % values)]
        return [
            Outcome(
                messages.WARNING,
                gettext("%(object)s is still %(state)s; refresh later to see Amazon's answer.")
                % values,
            )
        ]


class RefreshAction(ObjectAction):
    name = "refresh"
    label = _("Refresh from Amazon")
    permission = permissions.REFRESH
    explanation = _(
        "Read the object's details from Amazon and record any change of state. Nothing is "
        "changed at Amazon."
    )
    submit_label = _("Refresh")

    def perform(self, obj: Model, form: forms.Form) -> list[Outcome]:
        fresh = call_service(services.refresh, obj)
        values = {"object": fresh, "state": fresh.get_state_display() or "-"}
        return [
            Outcome(
                messages.SUCCESS, gettext("%(object)s refreshed from Amazon: %(state)s.") % values
            )
        ]


CAPTURE = CaptureAction()
REFUND = RefundAction()
CLOSE_ORDER = CloseOrderAction()
CANCEL_ORDER = CancelOrderAction()
CLOSE_AUTHORIZATION = CloseAuthorizationAction()
REFRESH = RefreshAction()
