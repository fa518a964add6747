from django.urls import path

from talentport.people import access_views, otp_views, phone_views, views

app_name = "people"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup, name="signup"),
    path("me/", views.account, name="account"),
    path("me/access/", access_views.access_overview, name="access"),
    path("me/phone/", phone_views.phone_verify, name="phone_verify"),
    path("otp/", otp_views.otp_verify, name="otp_verify"),
    path("otp/enrol/", otp_views.otp_enrol, name="otp_enrol"),
    path("confirm/", otp_views.confirm, name="confirm"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/done/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
