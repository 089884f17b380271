from django.urls import path

from anjian.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.InspectionList.as_view(), name="list"),
    path("new/", views.inspection_start, name="start"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/report.<str:fmt>", views.report_download, name="report"),
]
