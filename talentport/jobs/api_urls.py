from django.urls import path

from talentport.jobs import api

urlpatterns = [
    path("jobs/positions", api.PositionListApi.as_view(), name="jobs-position-list"),
    path("jobs/positions/<str:id>", api.PositionDetailApi.as_view(), name="jobs-position-detail"),
    path(
        "jobs/positions/<str:id>/candidates",
        api.CandidateListApi.as_view(),
        name="jobs-position-candidates",
    ),
    path("jobs/matches", api.MatchListApi.as_view(), name="jobs-matches"),
    path("jobs/fairs/<str:id>/summary", api.FairSummaryApi.as_view(), name="jobs-fair-summary"),
    path("jobs/ambassadors/stats", api.AmbassadorStatsApi.as_view(), name="jobs-ambassador-stats"),
    path("talent-pool/registration", api.PoolRegistrationApi.as_view(), name="talent-pool"),
    path("events", api.EventListApi.as_view(), name="events-list"),
    path(
        "events/<str:id>/registration",
        api.EventRegistrationApi.as_view(),
        name="events-registration",
    ),
]
