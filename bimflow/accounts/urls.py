from django.urls import path

from bimflow.accounts import views

urlpatterns = [
    path("auth/csrf/", views.csrf, name="auth-csrf"),
    path("auth/login/", views.login_view, name="auth-login"),
    path("auth/logout/", views.logout_view, name="auth-logout"),
    path("auth/token/", views.token, name="auth-token"),
    path("auth/me/", views.me, name="auth-me"),
    path("users/", views.UserSearch.as_view(), name="user-search"),
    path("projects/<int:project_id>/members/", views.MemberList.as_view(), name="member-list"),
    path(
        "projects/<int:project_id>/members/<int:user_id>/",
        views.MemberDetail.as_view(),
        name="member-detail",
    ),
]
