from django.urls import path

from accounts import views, views_two_factor

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("login/second-factor/", views_two_factor.second_factor, name="second_factor"),
    path("login/authenticator/", views_two_factor.two_factor_enrol, name="two_factor_enrol"),
    path("security/", views_two_factor.security, name="security"),
    path("security/recovery-codes/", views_two_factor.recovery_codes_renew_view, name="recovery_codes_renew"),
    path("security/sessions/end/", views_two_factor.sessions_end_view, name="sessions_end"),
    path("tokens/", views.api_token_list, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke_view, name="token_revoke"),
    path("access-log/", views.access_log, name="access_log"),
]
