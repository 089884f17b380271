from django.urls import path

from anjian.accidents import views

app_name = "accidents"
urlpatterns = [
    path("", views.AccidentList.as_view(), name="list"),
    path("new/", views.accident_create, name="create"),
    path("<int:pk>/", views.accident_detail, name="detail"),
    path("<int:pk>/kuaibao.<str:fmt>", views.kuaibao_download, name="kuaibao"),
    path("<int:pk>/supplement/", views.accident_supplement, name="supplement"),
    path("<int:pk>/receive/", views.step_receive, name="receive"),
    path("<int:pk>/concealment/", views.mark_concealment, name="concealment"),
    path("<int:pk>/investigation/", views.investigation_edit, name="investigation"),
    path("<int:pk>/investigation/extend/", views.investigation_extend, name="extend"),
    path("<int:pk>/investigation/report/", views.investigation_report, name="report"),
    path("<int:pk>/investigation/findings/", views.finding_add, name="finding"),
    path("<int:pk>/investigation/close/", views.investigation_close, name="close"),
    path("statistics/", views.statistics_page, name="statistics"),
    path("statistics/monthly.xlsx", views.monthly_export, name="monthly_export"),
    path("targets/", views.TargetList.as_view(), name="targets"),
    path("targets/edit/", views.target_edit, name="target_edit"),
    path("watch/", views.WatchList.as_view(), name="watch"),
]
