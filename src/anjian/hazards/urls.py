from django.urls import path

from anjian.hazards import views

app_name = "hazards"
urlpatterns = [
    path("", views.HazardLedger.as_view(), name="list"),
    path("new/<int:enterprise_pk>/", views.hazard_create, name="create"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/plan/", views.hazard_plan, name="plan"),
    path("<int:pk>/submit/", views.hazard_submit, name="submit"),
    path("<int:pk>/verify/", views.hazard_verify, name="verify"),
    path("<int:pk>/reject/", views.hazard_reject, name="reject"),
    path("<int:pk>/extensions/", views.extension_create, name="extension"),
    path(
        "<int:pk>/extensions/<int:extension_pk>/decide/",
        views.extension_decide,
        name="extension_decide",
    ),
]
urlpatterns += [
    path("listed/", views.ListedBoard.as_view(), name="listed"),
    path("<int:pk>/listing/", views.hazard_list_for_supervision, name="listing"),
    path("<int:pk>/progress/", views.hazard_progress, name="progress"),
]
urlpatterns += [path("statistics/", views.hazard_statistics_page, name="statistics")]
urlpatterns += [
    path("filings/", views.FilingList.as_view(), name="filings"),
    path("filings/file/", views.file_statistics, name="file_statistics"),
]
