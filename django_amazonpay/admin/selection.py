"""Bulk actions of the app's admins: a hostile selection is ignored, never a server error."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import QuerySet
from django.http import HttpRequest


class SafeSelectionMixin:
    """Bulk actions ignore selected ids that cannot be this model's primary key.

    Django's admin filters `pk__in` with whatever `_selected_action` holds, so a posted
    "abc" or NUL byte is a ValueError there: a server error instead of "nothing selected".
    """

    def response_action(self, request: HttpRequest, queryset: QuerySet) -> Any:
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        valid = [value for value in selected if self._is_pk(value)]
        if len(valid) != len(selected):
            post = request.POST.copy()
            post.setlist(helpers.ACTION_CHECKBOX_NAME, valid)
            request.POST = post
        return super().response_action(request, queryset)  # type: ignore[misc]

    def _is_pk(self, value: str) -> bool:
        field = self.opts.pk  # type: ignore[attr-defined]
        try:
            pk = field.get_prep_value(field.to_python(value))
        except (ValidationError, ValueError, TypeError):
            return False
        if isinstance(pk, int):  # beyond the column's range the database driver raises
            ops = connections[router.db_for_read(field.model)].ops
            low, high = ops.integer_field_range(field.get_internal_type())
            return (low is None or pk >= low) and (high is None or pk <= high)
        return True
