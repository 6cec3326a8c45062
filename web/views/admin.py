"""The /admin routes for users, departments, hand-overs and the audit log (administrators only)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web.views import admin_audit, admin_org, admin_transfer, admin_users
from web.views.admin_access import admin_only


@admin_only
def admin_home(request: Request) -> Response:
    """GET /admin: the user list is where administration starts."""
    return RedirectResponse("/admin/users", status_code=303)


ROUTES = [
    Route("/admin", admin_home),
    Route("/admin/users", admin_users.users_page),
    Route("/admin/users/new", admin_users.new_user, methods=["GET", "POST"]),
    Route("/admin/users/{id:int}", admin_users.edit_user, methods=["GET", "POST"]),
    Route("/admin/users/{id:int}/active", admin_users.set_user_active, methods=["POST"]),
    Route("/admin/users/{id:int}/password", admin_users.reset_user_password, methods=["POST"]),
    Route("/admin/users/{id:int}/transfer", admin_transfer.transfer_page, methods=["GET", "POST"]),
    Route("/admin/departments", admin_org.departments_page, methods=["GET", "POST"]),
    Route("/admin/departments/{id:int}", admin_org.department_page, methods=["GET", "POST"]),
    Route("/admin/departments/{id:int}/delete", admin_org.delete_department_page, methods=["POST"]),
    Route("/admin/audit", admin_audit.audit_page),
    Route("/admin/audit.csv", admin_audit.audit_export),
]
