"""The site's log-in for every role (the admin site's own form takes staff only): after it, each
role lands on its own page unless a ``next`` page asked for the log-in."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from contactcenter.people.policy import home_of


class SiteLoginView(auth_views.LoginView):
    template_name = "login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return home_of(self.request.user)


site_logout = auth_views.LogoutView.as_view(next_page="/login/")
