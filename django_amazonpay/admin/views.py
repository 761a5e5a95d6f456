"""Change-page buttons for ModelAdmins: URLs, permission checks, confirmation pages.

GET shows the action's form, POST (CSRF-checked by admin_view) runs it. A refusal by the
form, the service or Amazon re-renders the page with the error and nothing changed; success
redirects to the change page with the outcome as messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..database import database_busy
from ..models import StateTransition
from ..mws.errors import AmazonPayError
from ..services.claims import REQUEST_TTL, claim
from . import permissions
from .actions import ObjectAction, call_service, describe_busy_database, describe_error
from .selection import SafeSelectionMixin

CHANGE_FORM_TEMPLATE = "admin/django_amazonpay/change_form.html"
CONFIRM_TEMPLATE = "admin/django_amazonpay/confirm_action.html"


class ReadOnlyMixin(SafeSelectionMixin):
    """Mirrors of Amazon's objects and logs: staff read them, only services write them."""

    # these tables grow without bound: a filtered page counts its matches only, not also
    # the whole table (Django's default runs a second COUNT(*) per page)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ObjectActionsMixin(ReadOnlyMixin):
    """Adds `object_actions` as buttons, and the object's transition timeline, to a ModelAdmin."""

    object_actions: tuple[ObjectAction, ...] = ()
    #: the StateTransition foreign key naming this model ("order_reference", "capture"...)
    timeline_field: str = ""
    change_form_template = CHANGE_FORM_TEMPLATE
    actions = ("refresh_selected",)

    # -- URLs -------------------------------------------------------------------------------
    def action_url_name(self, action: ObjectAction) -> str:
        opts = self.opts  # type: ignore[attr-defined]
        return f"{opts.app_label}_{opts.model_name}_{action.name.replace('-', '_')}"

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path(
                f"<path:object_id>/{action.name}/",
                self._action_view_for(action),
                name=self.action_url_name(action),
            )
            for action in self.object_actions
        ]
        # before the defaults: "<path:object_id>/" would swallow them
        return custom + super().get_urls()  # type: ignore[misc]

    def _action_view_for(self, action: ObjectAction) -> Callable[..., HttpResponse]:
        def view(request: HttpRequest, object_id: str) -> HttpResponse:
            return self.object_action_view(request, object_id, action)

        # the services commit their intent before calling Amazon: never one request atomic
        view = transaction.non_atomic_requests(view)
        return self.admin_site.admin_view(view)  # type: ignore[attr-defined]

    def _url(self, obj: Model, name: str) -> str:
        return reverse(
            f"admin:{name}",
            args=(quote(obj.pk),),
            current_app=self.admin_site.name,  # type: ignore[attr-defined]
        )

    # -- the confirmation page --------------------------------------------------------------
    def object_action_view(
        self, request: HttpRequest, object_id: str, action: ObjectAction
    ) -> HttpResponse:
        try:
            return self._object_action(request, object_id, action)
        except OperationalError as err:
            if not database_busy(err):
                raise
            # a lock held past the database's timeout (SQLite serializes every writer): the
            # services' atomic blocks rolled back, a call to Amazon left its attempt row
            # for the next refresh to reconcile (docs/admin.md, Busy database)
            model_admin: Any = self
            model_admin.message_user(request, describe_busy_database(), messages.ERROR)
            opts = model_admin.opts
            return HttpResponseRedirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change",
                    args=(object_id,),  # as it came: no database read to build it
                    current_app=model_admin.admin_site.name,
                )
            )

    def _object_action(
        self, request: HttpRequest, object_id: str, action: ObjectAction
    ) -> HttpResponse:
        model_admin: Any = self
        obj = model_admin.get_object(request, unquote(object_id))
        if obj is None:
            return model_admin._get_obj_does_not_exist_redirect(
                request, model_admin.opts, object_id
            )
        if not model_admin.has_view_permission(request, obj) or not permissions.has_permission(
            request, action.permission
        ):
            raise PermissionDenied
        opts = model_admin.opts
        change_url = self._url(obj, f"{opts.app_label}_{opts.model_name}_change")
        if not action.is_available(obj):
            model_admin.message_user(
                request,
                gettext("“%(action)s” is not possible for %(object)s in its current state.")
                % {"action": action.label, "object": obj},
                messages.WARNING,
            )
            return HttpResponseRedirect(change_url)
        form = action.get_form(obj, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            # one money action per order at a time (a double click, two staff members): the
            # second is told so and nothing is sent or logged; a claim, not a row lock
            order_key = getattr(obj, "order_reference_id", None) or obj.pk
            with claim(f"admin-action:{order_key}", ttl=REQUEST_TTL) as held:
                obj.refresh_from_db()  # the first click may have just finished
                if not held or not action.is_available(obj):
                    model_admin.message_user(
                        request,
                        gettext(
                            "“%(action)s” was not done: another request is working on this "
                            "order, or has just done it. Look at it again."
                        )
                        % {"action": action.label},
                        messages.WARNING,
                    )
                    return HttpResponseRedirect(change_url)
                try:
                    outcomes = action.perform(obj, form)
                except AmazonPayError as err:
                    model_admin.message_user(request, describe_error(err), messages.ERROR)
                    outcomes = None
            if outcomes is not None:
                for outcome in outcomes:
                    model_admin.message_user(request, outcome.text, outcome.level)
                # who pressed which button, in the object's admin history
                model_admin.log_change(
                    request, obj, " ".join([str(action.label) + ":", *(o.text for o in outcomes)])
                )
                return HttpResponseRedirect(change_url)
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": opts,
            "app_label": opts.app_label,
            "object": obj,
            "action": action,
            "form": form,
            "title": action.label,
            "subtitle": str(obj),
            "change_url": change_url,
            "media": model_admin.media + form.media,
        }
        request.current_app = model_admin.admin_site.name
        return TemplateResponse(request, CONFIRM_TEMPLATE, context)

    # -- the change page --------------------------------------------------------------------
    def object_buttons(self, request: HttpRequest, obj: Model) -> list[dict[str, Any]]:
        return [
            {"label": action.label, "url": self._url(obj, self.action_url_name(action))}
            for action in self.object_actions
            if permissions.has_permission(request, action.permission) and action.is_available(obj)
        ]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Model | None = None,
    ) -> HttpResponse:
        if obj is not None:
            context["amazonpay_buttons"] = self.object_buttons(request, obj)
            if self.timeline_field:
                context["amazonpay_timeline"] = list(
                    StateTransition.objects.filter(**{self.timeline_field: obj})
                )
        return super().render_change_form(  # type: ignore[misc]
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

    # -- bulk action ------------------------------------------------------------------------
    def has_refresh_from_amazon_permission(self, request: HttpRequest) -> bool:
        return permissions.has_permission(request, permissions.REFRESH)

    @admin.action(
        description=_("Refresh selected objects from Amazon"),
        permissions=["refresh_from_amazon"],
    )
    def refresh_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for obj in queryset:
            try:
                call_service(services.refresh, obj)
            except AmazonPayError as err:
                self.message_user(  # type: ignore[attr-defined]
                    request, f"{obj}: {describe_error(err)}", messages.ERROR
                )
            except OperationalError as err:
                if not database_busy(err):
                    raise
                self.message_user(  # type: ignore[attr-defined]
                    request, f"{obj}: {describe_busy_database()}", messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(  # type: ignore[attr-defined]
                request,
                ngettext(
                    "%(count)d object refreshed from Amazon.",
                    "%(count)d objects refreshed from Amazon.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )
