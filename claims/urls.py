"""Newsroom pages. (Public /checks/ pages and the /api/ belong elsewhere.)"""

from django.contrib.auth import views as auth_views
from django.urls import path

from claims.views import (
    claim_actions,
    claim_edit,
    claim_list,
    claim_page,
    dashboard,
    notifications,
    queue,
)

app_name = "claims"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="claims/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", dashboard.dashboard, name="dashboard"),
    path("claims/", claim_list.claim_list, name="list"),
    path("claims/bulk/", claim_list.claim_bulk, name="bulk"),
    path("claims/new/", claim_edit.claim_create, name="create"),
    path("claims/<uuid:code>/", claim_page.claim_detail, name="detail"),
    path("claims/<uuid:code>/edit/", claim_edit.claim_edit, name="edit"),
    path("claims/<uuid:code>/evidence/", claim_page.evidence_list, name="evidence"),
    path("claims/<uuid:code>/evidence/add/", claim_page.evidence_add, name="evidence_add"),
    path(
        "claims/<uuid:code>/evidence/<uuid:evidence_code>/file/",
        claim_page.evidence_file,
        name="evidence_file",
    ),
    path("claims/<uuid:code>/comments/", claim_page.comment_add, name="comment_add"),
    path("claims/<uuid:code>/assign/", claim_page.assignment_add, name="assign"),
    path("claims/<uuid:code>/decline/", claim_page.assignment_decline, name="decline"),
    path(
        "claims/<uuid:code>/actions/<slug:action>/",
        claim_actions.claim_transition,
        name="transition",
    ),
    path("queue/", queue.queue, name="queue"),
    path("queue/take/", queue.take_next, name="take_next"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
    path(
        "notifications/read-all/",
        notifications.notification_read_all,
        name="notifications_read_all",
    ),
]
