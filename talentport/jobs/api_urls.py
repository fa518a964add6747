from django.urls import path

from talentport.jobs import api

urlpatterns = [
    # positions: the fixed sub-paths first, then the detail
    path("jobs/positions", api.PositionListApi.as_view(), name="jobs-position-list"),
    path(
        "jobs/positions/<str:id>/candidates",
        api.CandidateListApi.as_view(),
        name="jobs-position-candidates",
    ),
    path(
        "jobs/positions/<str:id>/close", api.PositionCloseApi.as_view(), name="jobs-position-close"
    ),
    path(
        "jobs/positions/<str:id>/applications",
        api.PositionApplicationApi.as_view(),
        name="jobs-position-applications",
    ),
    path("jobs/positions/<str:id>", api.PositionDetailApi.as_view(), name="jobs-position-detail"),
    path("jobs/matches", api.MatchListApi.as_view(), name="jobs-matches"),
    # employers
    path("jobs/employer", api.EmployerOrgApi.as_view(), name="jobs-employer"),
    path(
        "jobs/employers/<str:id>/verification",
        api.EmployerVerificationApi.as_view(),
        name="jobs-employer-verification",
    ),
    # job fairs
    path("jobs/fairs", api.FairListApi.as_view(), name="jobs-fair-list"),
    path("jobs/fairs/<str:id>/summary", api.FairSummaryApi.as_view(), name="jobs-fair-summary"),
    path("jobs/fairs/<str:id>/publish", api.FairPublishApi.as_view(), name="jobs-fair-publish"),
    path("jobs/fairs/<str:id>/check-ins", api.FairCheckInApi.as_view(), name="jobs-fair-check-in"),
    path(
        "jobs/fairs/<str:id>/employers", api.FairEmployerApi.as_view(), name="jobs-fair-employers"
    ),
    path(
        "jobs/fairs/<str:id>/candidates",
        api.FairCandidateApi.as_view(),
        name="jobs-fair-candidates",
    ),
    # ambassadors and referrals
    path("jobs/ambassadors", api.AmbassadorCreateApi.as_view(), name="jobs-ambassador-list"),
    path("jobs/ambassadors/stats", api.AmbassadorStatsApi.as_view(), name="jobs-ambassador-stats"),
    path(
        "jobs/referrals/<str:id>/advance",
        api.ReferralAdvanceApi.as_view(),
        name="jobs-referral-advance",
    ),
    # talent pool
    path("talent-pool/registration", api.PoolRegistrationApi.as_view(), name="talent-pool"),
    # events
    path("events", api.EventListApi.as_view(), name="events-list"),
    path(
        "events/<str:id>/registration",
        api.EventRegistrationApi.as_view(),
        name="events-registration",
    ),
    path("events/<str:id>/publish", api.EventPublishApi.as_view(), name="events-publish"),
    path("events/<str:id>/attendance", api.EventAttendanceApi.as_view(), name="events-attendance"),
    path("events/<str:id>/feedback", api.EventFeedbackApi.as_view(), name="events-feedback"),
]
