"""The Django admin's app config, pointing it at the site that checks the second factor."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "talentport.people.admin_site.StaffAdminSite"
