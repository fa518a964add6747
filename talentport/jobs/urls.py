from django.urls import path

from talentport.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.position_list, name="position-list"),
    path("positions/<uuid:id>/", views.position_detail, name="position-detail"),
    path("positions/<uuid:id>/apply", views.position_apply, name="position-apply"),
    path("matches/", views.my_matches, name="my-matches"),
    path("pool/register", views.pool_register, name="pool-register"),
    path("events/", views.event_list, name="event-list"),
    path("events/<uuid:id>/", views.event_detail, name="event-detail"),
    path("events/<uuid:id>/register", views.event_register, name="event-register"),
    path("events/<uuid:id>/cancel", views.event_cancel, name="event-cancel"),
    path("events/<uuid:id>/feedback", views.event_feedback, name="event-feedback"),
    path("fairs/", views.fair_list, name="fair-list"),
    path("fairs/<uuid:id>/", views.fair_detail, name="fair-detail"),
    path("fairs/<uuid:id>/signup", views.fair_signup, name="fair-signup"),
    path("employer/", views.employer_home, name="employer-home"),
    path("employer/positions/new", views.employer_position_new, name="employer-position-new"),
    path(
        "employer/positions/<uuid:id>/candidates",
        views.employer_candidates,
        name="employer-candidates",
    ),
    path(
        "employer/positions/<uuid:id>/close",
        views.employer_position_close,
        name="employer-position-close",
    ),
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/pool/", views.staff_pool, name="staff-pool"),
    path("staff/pool/export.xlsx", views.staff_pool_export, name="staff-pool-export"),
    path("staff/fairs/", views.staff_fairs, name="staff-fairs"),
    path("staff/fairs/<uuid:id>/", views.staff_fair, name="staff-fair"),
    path("staff/fairs/<uuid:id>/publish", views.staff_fair_publish, name="staff-fair-publish"),
    path(
        "staff/fairs/<uuid:id>/check-in/<uuid:candidate>",
        views.staff_fair_check_in,
        name="staff-fair-check-in",
    ),
    path("staff/ambassadors/", views.staff_ambassadors, name="staff-ambassadors"),
    path(
        "staff/referrals/<uuid:id>/advance",
        views.staff_referral_advance,
        name="staff-referral-advance",
    ),
    path("staff/employers/", views.staff_employers, name="staff-employers"),
    path(
        "staff/employers/<uuid:id>/verify",
        views.staff_employer_verify,
        name="staff-employer-verify",
    ),
    path("staff/events/", views.staff_events, name="staff-events"),
    path("staff/events/<uuid:id>/", views.staff_event, name="staff-event"),
    path("staff/events/<uuid:id>/publish", views.staff_event_publish, name="staff-event-publish"),
    path(
        "staff/events/<uuid:id>/attendance/<uuid:registration>",
        views.staff_event_attendance,
        name="staff-event-attendance",
    ),
]
